/**
 * Every metric family the master exports through prom-client (the per-node gauges are in node-families.ts);
 * docs/metrics.md lists them, and the Grafana dashboard test checks its queries against a real scrape. Prometheus conventions: a `scrapyard_` prefix, base units (seconds,
 * bytes, ratios), `_total` on counters. No label names a job or a run: each would be a series per crawl, which
 * Prometheus keeps forever; per-job detail is what the REST API is for.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The results a delivery attempt can have, and the kinds of delivery (`delivery.attempted`). */
const DELIVERY_KINDS = ['webhook', 'alert'] as const;
const DELIVERY_RESULTS = ['delivered', 'retrying', 'dead'] as const;
const FIRE_STATUSES = ['queued', 'waiting', 'skipped', 'failed'] as const;
const NODE_KINDS = ['permanent', 'temporary', 'embedded'] as const;

export function createFamilies(opts: { processMetrics: boolean }) {
  const registry = new Registry();
  const registers = [registry];
  const crawl = ['project', 'spider'] as const;

  const f = {
    registry,
    jobs: new Gauge({
      name: 'scrapyard_jobs',
      help: 'Jobs waiting (pending: queued, including retries in their backoff) or running now.',
      labelNames: ['state'] as const,
      registers,
    }),
    jobsFinished: new Counter({
      name: 'scrapyard_jobs_finished_total',
      help: 'Jobs that finished, by outcome (succeeded, failed, cancelled, lost, start_failed, timed_out, stalled).',
      labelNames: [...crawl, 'outcome'] as const,
      registers,
    }),
    dispatchLatency: new Histogram({
      name: 'scrapyard_job_dispatch_latency_seconds',
      help: 'Time from a job becoming eligible to run (queued, or its retry backoff over) to its crawl process starting.',
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 4 * 3600],
      registers,
    }),
    scheduleLag: new Histogram({
      name: 'scrapyard_schedule_lag_seconds',
      help: "Time from a schedule fire's scheduled time to the scheduler firing it (misfires and backfills fire late).",
      labelNames: ['trigger'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5, 30, 60, 300, 3600],
      registers,
    }),
    scheduleFires: new Counter({
      name: 'scrapyard_schedule_fires_total',
      help: 'Schedule fires, by status: queued (a job was made), waiting (held behind the previous job), skipped, failed.',
      labelNames: ['status'] as const,
      registers,
    }),
    agentsOnline: new Gauge({
      name: 'scrapyard_agents_online',
      help: 'Agents connected now, by kind (permanent, temporary, embedded).',
      labelNames: ['kind'] as const,
      registers,
    }),
    items: new Counter({
      name: 'scrapyard_crawl_items_total',
      help: 'Items scraped (Scrapy item_scraped_count), from live stats.',
      labelNames: crawl,
      registers,
    }),
    requests: new Counter({
      name: 'scrapyard_crawl_requests_total',
      help: 'Requests sent (Scrapy downloader/request_count), from live stats.',
      labelNames: crawl,
      registers,
    }),
    responses: new Counter({
      name: 'scrapyard_crawl_responses_total',
      help: 'Responses received (Scrapy downloader/response_count), from live stats.',
      labelNames: crawl,
      registers,
    }),
    errors: new Counter({
      name: 'scrapyard_crawl_errors_total',
      help: 'ERROR and CRITICAL log lines of crawls, from live stats.',
      labelNames: crawl,
      registers,
    }),
    deliveries: new Counter({
      name: 'scrapyard_deliveries_total',
      help: 'Delivery attempts of webhooks and alert notifications, by result (delivered, retrying, dead).',
      labelNames: ['kind', 'result'] as const,
      registers,
    }),
    deliveryDuration: new Histogram({
      name: 'scrapyard_delivery_duration_seconds',
      help: 'Time one delivery attempt took (webhook call or alert notification).',
      labelNames: ['kind'] as const,
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
    alertsFiring: new Gauge({
      name: 'scrapyard_alerts_firing',
      help: 'Alerts firing now, by rule kind.',
      labelNames: ['rule_kind'] as const,
      registers,
    }),
  };

  // Series that exist before their first event, so rate() and absent() behave from the first scrape.
  for (const status of FIRE_STATUSES) f.scheduleFires.inc({ status }, 0);
  for (const kind of DELIVERY_KINDS) for (const result of DELIVERY_RESULTS) f.deliveries.inc({ kind, result }, 0);
  for (const kind of NODE_KINDS) f.agentsOnline.set({ kind }, 0);
  for (const state of ['pending', 'running'] as const) f.jobs.set({ state }, 0);

  // The master's own process (CPU, memory, event-loop lag, GC), under the usual process_ and nodejs_ names.
  if (opts.processMetrics) collectDefaultMetrics({ register: registry });
  return f;
}
export type Families = ReturnType<typeof createFamilies>;
export { NODE_KINDS };
