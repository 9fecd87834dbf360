/**
 * Runs that can't finish normally because their node is gone. A node offline for longer than `graceMs` has its
 * running jobs declared lost; each is requeued (same job id and queue place, new run id, attempt + 1) while its
 * retry policy allows, else finished as `lost`. The clock of a node that was offline across a master restart
 * starts when the master does, so agents always get the full grace to reconnect.
 */
import { existsSync, renameSync } from 'node:fs';
import type { Logger } from 'pino';
import type { JobRow, JobsRepo } from '../db/repos/jobs.js';
import type { AgentRegistry } from '../registry/registry.js';
import type { PolicyStore } from '../services/policy-store.js';
import { newRunId } from './dispatcher.js';
import { jobFilePath, type JobFilesConfig } from './job-files.js';
import type { LogSink } from './log-sink.js';

export interface LostRunsDeps {
  jobs: JobsRepo;
  registry: AgentRegistry;
  policies: PolicyStore;
  files: JobFilesConfig;
  sink: LogSink;
  graceMs: number;
  logger: Logger;
  now: () => number;
  /** A run id stopped existing (requeued): drop anything cached under it. */
  forgetRun: (runId: string) => void;
  /** The queue changed or a job finished. */
  kick: () => void;
  onFinished: () => void;
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
    deps.registry.on('offline', (s) => this.#offlineSince.set(s.nodeId, deps.now()));
    deps.registry.on('online', (s) => this.#offlineSince.delete(s.nodeId));
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
        for (const row of rows) await this.lose(row, reason, { countAttempt: true });
      } catch (e) {
        this.#log.error({ err: e, nodeId }, 'declaring runs lost failed');
      }
    }
  }

  /**
   * Declares a run lost: requeued when `always` or while its attempts stay within the retry policy, else
   * finished as lost. A run that never started (`countAttempt: false`) doesn't use up an attempt.
   */
  async lose(row: JobRow, reason: string, o: { countAttempt: boolean; always?: boolean }): Promise<void> {
    const retries = this.#d.policies.retriesFor(row.project, row.spider);
    const log = this.#log.child({ runId: row.run_id, jobId: row.job_id, nodeId: row.node_id, project: row.project });
    if (o.always || row.attempt <= retries) {
      this.#archiveFiles(row);
      const next = newRunId();
      const note = `attempt ${row.attempt} lost (${reason}); requeued`;
      if (await this.#d.jobs.requeue(row.run_id, next, { countAttempt: o.countAttempt, reason: note })) {
        this.#d.forgetRun(row.run_id);
        log.warn({ newRunId: next, reason }, 'run lost: job requeued');
        this.#d.kick();
      }
      return;
    }
    const changed = await this.#d.jobs.markFinished(row.run_id, {
      endedAt: this.#d.now(),
      startedAt: null,
      exitCode: null,
      signal: null,
      outcome: 'lost',
      reason,
    });
    if (changed) {
      log.warn({ reason }, 'run lost');
      this.#d.onFinished();
      this.#d.kick();
    }
  }

  /** Keeps the lost attempt's partial log and items beside the retry's (`<job>.attempt-1.log`). */
  #archiveFiles(row: JobRow): void {
    for (const stream of ['log', 'items'] as const) {
      const path = jobFilePath(this.#d.files, stream, row.project, row.spider, row.job_id);
      if (!path || !existsSync(path)) continue;
      this.#d.sink.close(path);
      const dot = path.lastIndexOf('.');
      try {
        renameSync(path, `${path.slice(0, dot)}.attempt-${row.attempt}${path.slice(dot)}`);
      } catch (e) {
        this.#log.warn({ err: e, path }, 'could not keep the lost attempt’s file');
      }
    }
  }
}
