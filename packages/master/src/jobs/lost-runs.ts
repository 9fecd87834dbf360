/**
 * Runs that can't finish normally because their node is gone. A node offline for longer than `graceMs` has its
 * running jobs declared lost (the JobService requeues each while its retry policy allows, else finishes it as
 * `lost`). The clock of a node that was offline across a master restart starts when the master does, so agents
 * always get the full grace to reconnect. Nodes going on- and offline are learnt from the domain events.
 */
import type { Logger } from 'pino';
import type { JobsRepo } from '../db/repos/jobs.js';
import type { DomainEvents } from '../events/domain-events.js';
import type { AgentRegistry } from '../registry/registry.js';
import type { JobService } from './job-service.js';

export interface LostRunsDeps {
  jobs: JobsRepo;
  service: JobService;
  registry: AgentRegistry;
  events: DomainEvents;
  graceMs: number;
  logger: Logger;
  now: () => number;
}

const SWEEP_MS = 1_000;

export class LostRuns {
  readonly #d: LostRunsDeps;
  readonly #log: Logger;
  readonly #offlineSince = new Map<string, number>();
  #timer: NodeJS.Timeout | undefined;

  constructor(deps: LostRunsDeps) {
    this.#d = deps;
    this.#log = deps.logger.child({ component: 'lost-runs' });
    deps.events.on('node.offline', (e) => this.#offlineSince.set(e.nodeId, deps.now()));
    deps.events.on('node.online', (e) => this.#offlineSince.delete(e.nodeId));
  }

  async start(): Promise<void> {
    for (const nodeId of await this.#d.jobs.nodesWithRunningJobs()) {
      if (!this.#d.registry.get(nodeId)) this.#offlineSince.set(nodeId, this.#d.now());
    }
    this.#timer = setInterval(() => void this.#sweep(), SWEEP_MS).unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  /** Whether a node's jobs are in their grace period (running as far as we know, node unreachable). */
  isUnreachable(nodeId: string | null): boolean {
    return nodeId !== null && !this.#d.registry.get(nodeId);
  }

  async #sweep(): Promise<void> {
    const now = this.#d.now();
    for (const [nodeId, since] of this.#offlineSince) {
      if (now - since < this.#d.graceMs) continue;
      this.#offlineSince.delete(nodeId);
      try {
        const rows = await this.#d.jobs.runningOnNode(nodeId);
        const reason = `node ${nodeId} unreachable for more than ${Math.round(this.#d.graceMs / 1000)} s`;
        for (const row of rows) await this.#d.service.lose(row, reason, { countAttempt: true });
      } catch (e) {
        this.#log.error({ err: e, nodeId }, 'declaring runs lost failed');
      }
    }
  }
}
