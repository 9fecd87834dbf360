import { z } from 'zod';
import { EpochMs, FreeText, RunId } from '../primitives.js';

/**
 * A crawl's Scrapy stats and the exceptions it raised, as the runner's stats extension reports them
 * (packages/agent/python/scrapyard_stats.py) and the agent forwards them: every few seconds while it runs, and once
 * more, `final`, when it has ended (the closing dump, or the last live snapshot if the crawl died without one).
 * Everything is bounded: the crawl is untrusted code, and a snapshot is stored per run.
 */

/** Most stats keys one snapshot may carry (Scrapy's own are a few dozen; per-status and per-exception keys add some). */
export const STATS_MAX_KEYS = 1_000;
/** Exceptions kept from the start and from the end of a crawl, and exception types counted. */
export const EXCEPTIONS_KEPT = 5;
export const EXCEPTION_TYPES_MAX = 100;

/** A stat's value: numbers, and strings or flags for the few that are text (finish_reason). Datetimes are epoch ms. */
export const StatValue = z.union([z.number().finite(), FreeText(1_000), z.boolean(), z.null()]);
export type StatValue = z.infer<typeof StatValue>;

const boundedRecord = <T extends z.ZodType>(value: T, max: number) =>
  z.record(FreeText(200), value).refine((r) => Object.keys(r).length <= max, { message: `at most ${max} keys` });

export const CrawlStats = boundedRecord(StatValue, STATS_MAX_KEYS);
export type CrawlStats = z.infer<typeof CrawlStats>;

/** One exception the crawl raised (a spider callback, a download, a pipeline), with its traceback text. */
export const CrawlException = z.object({
  at: EpochMs,
  /** The exception's class name (`RuntimeError`, `TimeoutError`); `LoggedError` for an ERROR record without one. */
  type: FreeText(200),
  message: FreeText(2_000),
  /** The logger's message, e.g. `Spider error processing <GET …>`. */
  context: FreeText(2_000),
  traceback: FreeText(16_000),
});
export type CrawlException = z.infer<typeof CrawlException>;

export const CrawlExceptions = z.object({
  total: z.number().int().nonnegative(),
  byType: boundedRecord(z.number().int().nonnegative(), EXCEPTION_TYPES_MAX),
  first: z.array(CrawlException).max(EXCEPTIONS_KEPT),
  last: z.array(CrawlException).max(EXCEPTIONS_KEPT),
});
export type CrawlExceptions = z.infer<typeof CrawlExceptions>;

export const EMPTY_EXCEPTIONS: CrawlExceptions = { total: 0, byType: {}, first: [], last: [] };

/** agent → master `job.stats`: the latest snapshot of one run. Not acknowledged; the agent re-sends on reconnect. */
export const JobStats = z.object({
  runId: RunId,
  /** When the crawl took the snapshot (agent's clock; the master clamps it like heartbeat times). */
  at: EpochMs,
  /** The last snapshot of an ended crawl: it replaces whatever came before and nothing replaces it. */
  final: z.boolean(),
  /** Where it came from: the live channel, or the stats file the crawl wrote when it closed. */
  source: z.enum(['live', 'dump']),
  stats: CrawlStats,
  exceptions: CrawlExceptions,
});
export type JobStats = z.infer<typeof JobStats>;
