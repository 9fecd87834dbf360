/**
 * The /metrics exposition: counters and histograms fed by domain events (subscriptions.ts), and gauges of state
 * set at scrape time: jobs by state from the database (one grouped COUNT over an index range of the active jobs),
 * agents, slots and host samples from the registry and the latest-sample cache, so they are right from the first
 * scrape after a restart. Concurrent scrapes share one rendering, so a burst of them costs one.
 */
import type { HostMetrics } from '@scrapyard/protocol';
import type { AgentRegistry } from '../registry/registry.js';
import { NODE_KINDS, type Families } from './families.js';
import type { FiringAlerts } from './firing-alerts.js';
import { renderNodeFamilies, type NodeView } from './node-families.js';

export interface ExporterDeps {
  families: Families;
  registry: AgentRegistry;
  /** Pending and running jobs now. */
  activeJobs: () => Promise<{ pending: number; running: number }>;
  latestHost: (nodeId: string) => HostMetrics | undefined;
  firing: FiringAlerts;
}

export class MetricsExporter {
  readonly #d: ExporterDeps;
  #rendering: Promise<string> | null = null;

  constructor(deps: ExporterDeps) {
    this.#d = deps;
  }

  get contentType(): string {
    return this.#d.families.registry.contentType;
  }

  /** The exposition text; a scrape arriving while one renders gets the same text. */
  render(): Promise<string> {
    this.#rendering ??= this.#render().finally(() => {
      this.#rendering = null;
    });
    return this.#rendering;
  }

  async #render(): Promise<string> {
    const f = this.#d.families;
    const active = await this.#d.activeJobs();
    f.jobs.set({ state: 'pending' }, active.pending);
    f.jobs.set({ state: 'running' }, active.running);
    const nodes = this.#nodes();
    this.#alerts();
    // prom-client's text ends with a line feed; the node families follow as families of their own.
    return (await f.registry.metrics()) + nodes;
  }

  /** Online nodes only: an offline node's series disappear (its last sample would be stale). */
  #nodes(): string {
    const views: NodeView[] = [];
    const online = new Map<string, number>(NODE_KINDS.map((k) => [k, 0]));
    for (const s of this.#d.registry.all()) {
      if (s.closed) continue;
      online.set(s.kind, (online.get(s.kind) ?? 0) + 1);
      views.push({
        nodeId: s.nodeId,
        slots: s.slots,
        used: s.runs.size,
        cordoned: this.#d.registry.isCordoned(s.nodeId),
        host: this.#d.latestHost(s.nodeId),
      });
    }
    for (const [kind, n] of online) this.#d.families.agentsOnline.set({ kind }, n);
    return renderNodeFamilies(views);
  }

  #alerts(): void {
    const f = this.#d.families;
    f.alertsFiring.reset();
    for (const [ruleKind, n] of this.#d.firing.byRuleKind()) f.alertsFiring.set({ rule_kind: ruleKind }, n);
  }
}
