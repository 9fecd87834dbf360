import { z } from 'zod';

/**
 * Response bodies of the Scrapyd JSON API (docs/scrapyd-api.md §3). Requests are parsed with Twisted's
 * form semantics by the master (§1.2), so only the coerced request shapes the master validates live here.
 */
const envelope = { status: z.literal('ok'), node_name: z.string() };

export const ScrapydErrorBody = z.object({ status: z.literal('error'), message: z.string(), node_name: z.string() });
export type ScrapydErrorBody = z.infer<typeof ScrapydErrorBody>;

export const DaemonStatusResponseBody = z.object({
  ...envelope,
  pending: z.number().int(),
  running: z.number().int(),
  finished: z.number().int(),
});
export const AddVersionResponseBody = z.object({
  ...envelope,
  project: z.string(),
  version: z.string(),
  spiders: z.number().int(),
});
export const ScheduleResponseBody = z.object({ ...envelope, jobid: z.string() });
export const JobState = z.enum(['pending', 'running', 'finished']);
export const StatusResponseBody = z.object({ ...envelope, currstate: JobState.nullable() });
export const CancelResponseBody = z.object({ ...envelope, prevstate: z.enum(['pending', 'running']).nullable() });
export const ListProjectsResponseBody = z.object({ ...envelope, projects: z.array(z.string()) });
export const ListVersionsResponseBody = z.object({ ...envelope, versions: z.array(z.string()) });
export const ListSpidersResponseBody = z.object({ ...envelope, spiders: z.array(z.string()) });

export const PendingJob = z.object({
  id: z.string(),
  project: z.string(),
  spider: z.string(),
  version: z.string().nullable(),
  settings: z.record(z.string(), z.string()),
  args: z.record(z.string(), z.string()),
});
export const RunningJob = z.object({
  id: z.string(),
  project: z.string(),
  spider: z.string(),
  pid: z.number().int().nullable(),
  start_time: z.string(),
  log_url: z.string().nullable(),
  items_url: z.string().nullable(),
});
export const FinishedJob = z.object({
  id: z.string(),
  project: z.string(),
  spider: z.string(),
  start_time: z.string(),
  end_time: z.string(),
  log_url: z.string().nullable(),
  items_url: z.string().nullable(),
});
export const ListJobsResponseBody = z.object({
  ...envelope,
  pending: z.array(PendingJob),
  running: z.array(RunningJob),
  finished: z.array(FinishedJob),
});
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
export type PendingJob = z.infer<typeof PendingJob>;
export type RunningJob = z.infer<typeof RunningJob>;
export type FinishedJob = z.infer<typeof FinishedJob>;
