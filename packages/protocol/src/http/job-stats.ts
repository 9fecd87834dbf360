import { z } from 'zod';
import { EpochMs, JobId, ProjectName, RunId } from '../primitives.js';
import { CrawlExceptions, CrawlStats } from '../ws/job-stats.js';

/**
 * What the master shows of a run's Scrapy stats: a summary on every job (REST JobInfo, and additively in Scrapyd's
 * listjobs.json), and the whole latest snapshot with its downsampled series at GET /api/v1/jobs/:jobId/stats.
 */

const count = z.number().int().nonnegative();

/** Responses by status class (`downloader/response_status_count/NNN` summed per hundred). */
export const ResponsesByClass = z.object({
  total: count,
  '1xx': count,
  '2xx': count,
  '3xx': count,
  '4xx': count,
  '5xx': count,
});
export type ResponsesByClass = z.infer<typeof ResponsesByClass>;

export const LogCounts = z.object({ DEBUG: count, INFO: count, WARNING: count, ERROR: count, CRITICAL: count });
export type LogCounts = z.infer<typeof LogCounts>;

export const JobStatsSummary = z.object({
  /** When the snapshot was taken. */
  at: EpochMs,
  /** The crawl has ended and this is its last snapshot. */
  final: z.boolean(),
  /** `item_scraped_count`. */
  items: count,
  /** `downloader/request_count`. */
  requests: count,
  responses: ResponsesByClass,
  /** ERROR and CRITICAL log records (spider errors, failed downloads, pipeline errors …). */
  errors: count,
  logCounts: LogCounts,
  /** Exceptions captured (see the stats endpoint for their tracebacks). */
  exceptions: count,
  /** Scrapy's `finish_reason` (`finished`, `shutdown`, `closespider_timeout` …), null while running. */
  finishReason: z.string().nullable(),
});
export type JobStatsSummary = z.infer<typeof JobStatsSummary>;

/** One point of a run's series; older points are thinned so a run keeps at most a few hundred. */
export const JobStatsPoint = z.object({
  at: EpochMs,
  items: count,
  requests: count,
  responses: count,
  errors: count,
});
export type JobStatsPoint = z.infer<typeof JobStatsPoint>;

/** GET /api/v1/jobs/:jobId/stats. */
export const JobStatsResponse = z.object({
  id: JobId,
  project: ProjectName,
  runId: RunId,
  /** Null until the crawl sent its first snapshot (and for crawls that never did). */
  summary: JobStatsSummary.nullable(),
  stats: CrawlStats.nullable(),
  series: z.array(JobStatsPoint),
  exceptions: CrawlExceptions.nullable(),
});
export type JobStatsResponse = z.infer<typeof JobStatsResponse>;
