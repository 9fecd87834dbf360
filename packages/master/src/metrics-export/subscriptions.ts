/**
 * Feeds the event-driven metrics from the domain events: finishes by outcome, dispatch latency, schedule lag and
 * fires, crawl counters from live stats (as increments per run), deliveries, and which alerts fire. Counters
 * start at zero with the process, as Prometheus expects of counters. Subscribers run on the publisher's stack,
 * so each does constant work; the one database read (a started run this process did not see queued) is async.
 */
import type { Logger } from 'pino';
import type { JobRow } from '../db/repos/jobs.js';
import type { DomainEvents } from '../events/domain-events.js';
import type { Families } from './families.js';
import type { FiringAlerts } from './firing-alerts.js';
import type { LabelBudget } from './label-budget.js';
import { eligibleFromRow, type QueueClock } from './queue-clock.js';
import type { RunDeltas } from './run-deltas.js';

export interface SubscriptionDeps {
  events: DomainEvents;
  families: Families;
  labels: LabelBudget;
  deltas: RunDeltas;
  queue: QueueClock;
  firing: FiringAlerts;
  /** The job row of a run, for the queue times of runs queued before this process knew them. */
  jobOf: (runId: string) => Promise<Pick<JobRow, 'created_at' | 'not_before' | 'attempt'> | undefined>;
  logger: Logger;
}

/** Subscribes; returns the function that unsubscribes all. */
export function subscribeMetrics(d: SubscriptionDeps): () => void {
  const f = d.families;
  const log = d.logger;
  const seconds = (ms: number) => Math.max(0, ms) / 1000;
  const observeDispatch = (eligibleAt: number, startedAt: number) =>
    f.dispatchLatency.observe(seconds(startedAt - eligibleAt));

  const offs = [
    d.events.on('job.queued', (e) => d.queue.eligible(e.job.runId, e.at)),
    d.events.on('job.requeued', (e) => {
      d.deltas.forget(e.previousRunId);
      d.queue.take(e.previousRunId);
      d.queue.eligible(e.job.runId, e.at);
      // A retry waits out its backoff before it may be placed: its latency counts from the backoff's end, which
      // the event does not carry (requeues are rare, so one read each is cheap).
      d.jobOf(e.job.runId).then(
        (row) => {
          if (row?.not_before != null && d.queue.has(e.job.runId)) d.queue.eligible(e.job.runId, row.not_before);
        },
        (err: unknown) => log.debug({ err, runId: e.job.runId }, 'metrics: reading a requeued job failed'),
      );
    }),
    d.events.on('job.started', (e) => {
      d.deltas.started(e.job.runId);
      const eligibleAt = d.queue.take(e.job.runId);
      if (eligibleAt !== undefined) {
        observeDispatch(eligibleAt, e.at);
        return;
      }
      d.jobOf(e.job.runId).then(
        (row) => {
          const at = row ? eligibleFromRow(row) : null;
          if (at !== null) observeDispatch(at, e.at);
        },
        (err: unknown) => log.debug({ err, runId: e.job.runId }, 'metrics: reading a started job failed'),
      );
    }),
    d.events.on('job.cancelled', (e) => {
      if (e.previousState === 'pending') d.queue.take(e.job.runId);
    }),
    d.events.on('job.finished', (e) => {
      d.queue.take(e.job.runId); // a job that could not start finishes from pending
      d.deltas.ended(e.job.runId);
      f.jobsFinished.inc({ ...d.labels.labels(e.job.project, e.job.spider), outcome: e.outcome });
    }),
    d.events.on('job.resumed', (e) => d.deltas.resumed(e.job.runId)),
    d.events.on('job.stats', (e) => {
      const delta = d.deltas.observe(e.job.runId, e, e.final);
      if (delta.items + delta.requests + delta.responses + delta.errors === 0) return;
      const labels = d.labels.labels(e.job.project, e.job.spider);
      if (delta.items > 0) f.items.inc(labels, delta.items);
      if (delta.requests > 0) f.requests.inc(labels, delta.requests);
      if (delta.responses > 0) f.responses.inc(labels, delta.responses);
      if (delta.errors > 0) f.errors.inc(labels, delta.errors);
    }),
    d.events.on('schedule.fired', (e) => {
      f.scheduleFires.inc({ status: e.status });
      f.scheduleLag.observe({ trigger: e.trigger }, seconds(e.at - e.scheduledAt));
    }),
    d.events.on('delivery.attempted', (e) => {
      f.deliveries.inc({ kind: e.kind, result: e.result });
      f.deliveryDuration.observe({ kind: e.kind }, seconds(e.latencyMs));
    }),
    d.events.on('alert.changed', (e) => d.firing.changed(e.alertId, e.ruleKind, e.state)),
  ];
  return () => {
    for (const off of offs) off();
  };
}
