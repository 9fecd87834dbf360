/**
 * Prometheus metrics (docs/metrics.md): the metric families, their event subscriptions and the exporter behind
 * GET /metrics. Subscribed as soon as it is created, so what the job core does at start-up is counted too.
 */
import type { Logger } from 'pino';
import type { DomainEvents } from '../events/domain-events.js';
import { MetricsExporter } from '../metrics-export/exporter.js';
import { createFamilies } from '../metrics-export/families.js';
import { FiringAlerts, type FiringAlert } from '../metrics-export/firing-alerts.js';
import { LabelBudget } from '../metrics-export/label-budget.js';
import { QueueClock } from '../metrics-export/queue-clock.js';
import { RunDeltas } from '../metrics-export/run-deltas.js';
import { subscribeMetrics } from '../metrics-export/subscriptions.js';
import type { AgentRegistry } from '../registry/registry.js';
import type { Storage } from './storage.js';

/**
 * Bounds of what clients can grow. (project, spider) pairs: series per family; runs: 10,000 agents with ten
 * slots each; pending runs timed in memory (beyond, a start reads its queue time from its row); firing alerts.
 */
const MAX_LABEL_PAIRS = 10_000;
const MAX_LIVE_RUNS = 100_000;
const MAX_ENDED_RUNS = 10_000;
const MAX_QUEUED_RUNS = 100_000;
const MAX_FIRING_ALERTS = 100_000;

export interface PrometheusDeps {
  logger: Logger;
  storage: Storage;
  events: DomainEvents;
  registry: AgentRegistry;
}

export function createPrometheus({ logger, storage, events, registry }: PrometheusDeps) {
  const log = logger.child({ component: 'metrics-export' });
  const families = createFamilies({ processMetrics: true });
  const firing = new FiringAlerts(MAX_FIRING_ALERTS);
  const unsubscribe = subscribeMetrics({
    events,
    families,
    labels: new LabelBudget(MAX_LABEL_PAIRS, (max) =>
      log.warn({ max }, 'more (project, spider) pairs than metric series allow: the rest are counted as _other'),
    ),
    deltas: new RunDeltas({ maxLive: MAX_LIVE_RUNS, maxEnded: MAX_ENDED_RUNS }),
    queue: new QueueClock(MAX_QUEUED_RUNS),
    firing,
    jobOf: (runId) => storage.jobs.byRunId(runId),
    logger: log,
  });
  const exporter = new MetricsExporter({
    families,
    registry,
    activeJobs: () => storage.jobs.activeCounts(),
    latestHost: (nodeId) => storage.metrics.latestHost(nodeId),
    firing,
  });
  return {
    exporter,
    /**
     * Seeds the firing alerts from the alert store (so the gauge is right after a restart); a failure leaves the
     * gauge to the events (logged, not fatal).
     */
    async start(firingAlerts: () => Promise<FiringAlert[]>): Promise<void> {
      await firing.seed(firingAlerts).catch((err: unknown) => log.warn({ err }, 'loading firing alerts failed'));
    },
    stop(): void {
      unsubscribe();
    },
  };
}
export type Prometheus = ReturnType<typeof createPrometheus>;
