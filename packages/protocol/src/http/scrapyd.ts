import { z } from 'zod';

/**
 * Response bodies of the Scrapyd JSON API (docs/scrapyd-api.md §3). Requests are parsed with Twisted's
 * form semantics by the master (§1.2), so only the coerced request shapes the master validates live here.
 */
const envelope = { status: z.literal('ok'), node_name: z.string() };

export const ScrapydErrorBody = z.object({ status: z.literal('error'), message: z.string(), node_name: z.string() });
export type ScrapydErrorBody = z.infer<typeof ScrapydErrorBody>;

/**
 * What each endpoint answers besides the envelope (`status`, `node_name`), with Scrapyd's fields first and our
 * additive ones after (docs/scrapyd-api.md §11: additive fields never change an existing field's type). The master
 * builds its answers through these schemas; the response bodies below add the envelope.
 */
export const DaemonStatusResult = z.object({
  pending: z.number().int(),
  running: z.number().int(),
  finished: z.number().int(),
});
export const AddVersionResult = z.object({ project: z.string(), version: z.string(), spiders: z.number().int() });
export const ScheduleResult = z.object({ jobid: z.string() });
export const JobState = z.enum(['pending', 'running', 'finished']);
export const StatusResult = z.object({ currstate: JobState.nullable() });
export const CancelResult = z.object({ prevstate: z.enum(['pending', 'running']).nullable() });
export const ListProjectsResult = z.object({ projects: z.array(z.string()) });
export const ListVersionsResult = z.object({ versions: z.array(z.string()) });
export const ListSpidersResult = z.object({ spiders: z.array(z.string()) });
export const EmptyResult = z.object({});

export const PendingJob = z.object({
  id: z.string(),
  project: z.string(),
  spider: z.string(),
  version: z.string().nullable(),
  settings: z.record(z.string(), z.string()),
  args: z.record(z.string(), z.string()),
  /** Additive: the tags an agent must have to run it, and why it is not running yet (null: it starts next). */
  tags: z.array(z.string()),
  pending_reason: z.string().nullable(),
});
/**
 * Additive `stats` of running and finished jobs: the crawl's latest Scrapy stats, null before any arrived. Counts
 * are Scrapy's (`item_scraped_count`, `downloader/request_count`, `downloader/response_status_count/*` per class,
 * `log_count/*`); `finish_reason` is Scrapy's, null while running.
 */
export const ScrapydJobStats = z.object({
  items: z.number().int(),
  requests: z.number().int(),
  responses: z.object({
    total: z.number().int(),
    '1xx': z.number().int(),
    '2xx': z.number().int(),
    '3xx': z.number().int(),
    '4xx': z.number().int(),
    '5xx': z.number().int(),
  }),
  errors: z.number().int(),
  log_count: z.record(z.string(), z.number().int()),
  finish_reason: z.string().nullable(),
});
export const RunningJob = z.object({
  id: z.string(),
  project: z.string(),
  spider: z.string(),
  pid: z.number().int().nullable(),
  start_time: z.string(),
  log_url: z.string().nullable(),
  items_url: z.string().nullable(),
  /** Additive: where it runs, with what tags. */
  node_id: z.string().nullable(),
  tags: z.array(z.string()),
  stats: ScrapydJobStats.nullable().optional(),
});
export const FinishedJob = z.object({
  id: z.string(),
  project: z.string(),
  spider: z.string(),
  start_time: z.string(),
  end_time: z.string(),
  log_url: z.string().nullable(),
  items_url: z.string().nullable(),
  /** Additive: how it ended (succeeded, failed, cancelled, lost, start_failed), its exit code, node and tags. */
  outcome: z.string().nullable(),
  exit_code: z.number().int().nullable(),
  node_id: z.string().nullable(),
  tags: z.array(z.string()),
  stats: ScrapydJobStats.nullable().optional(),
});
export const ListJobsResult = z.object({
  pending: z.array(PendingJob),
  running: z.array(RunningJob),
  finished: z.array(FinishedJob),
});

export const DaemonStatusResponseBody = DaemonStatusResult.extend(envelope);
export const AddVersionResponseBody = AddVersionResult.extend(envelope);
export const ScheduleResponseBody = ScheduleResult.extend(envelope);
export const StatusResponseBody = StatusResult.extend(envelope);
export const CancelResponseBody = CancelResult.extend(envelope);
export const ListProjectsResponseBody = ListProjectsResult.extend(envelope);
export const ListVersionsResponseBody = ListVersionsResult.extend(envelope);
export const ListSpidersResponseBody = ListSpidersResult.extend(envelope);
export const ListJobsResponseBody = ListJobsResult.extend(envelope);
export const OkResponseBody = z.object(envelope);

export type DaemonStatusResponseBody = z.infer<typeof DaemonStatusResponseBody>;
export type AddVersionResponseBody = z.infer<typeof AddVersionResponseBody>;
export type ScheduleResponseBody = z.infer<typeof ScheduleResponseBody>;
export type StatusResponseBody = z.infer<typeof StatusResponseBody>;
export type CancelResponseBody = z.infer<typeof CancelResponseBody>;
export type ListProjectsResponseBody = z.infer<typeof ListProjectsResponseBody>;
export type ListVersionsResponseBody = z.infer<typeof ListVersionsResponseBody>;
export type ListSpidersResponseBody = z.infer<typeof ListSpidersResponseBody>;
export type ListJobsResponseBody = z.infer<typeof ListJobsResponseBody>;
export type ListJobsResult = z.infer<typeof ListJobsResult>;
export type PendingJob = z.infer<typeof PendingJob>;
export type RunningJob = z.infer<typeof RunningJob>;
export type FinishedJob = z.infer<typeof FinishedJob>;
