/**
 * Pure functions over a crawl's Scrapy stats: the summary every job shows (REST JobInfo, Scrapyd listjobs.json),
 * and the downsampled series kept per run. Unit-tested; no I/O.
 */
import type {
  CrawlExceptions,
  CrawlStats,
  JobStatsPoint,
  JobStatsSummary,
  LogCounts,
  ResponsesByClass,
  ScrapydJobStats,
} from '@scrapyard/protocol';
import type { z } from 'zod';

/** Points kept per run: at the 5 s reporting interval, 20 minutes at full resolution, then thinned. */
export const SERIES_MAX_POINTS = 240;

const STATUS_KEY = /^downloader\/response_status_count\/(\d{3})$/;
const LEVELS = ['DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL'] as const;

/** A non-negative integer stat, 0 when absent or not a count (crawl code may put anything there). */
function count(stats: CrawlStats, key: string): number {
  const v = stats[key];
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? Math.floor(v) : 0;
}

export function responsesByClass(stats: CrawlStats): ResponsesByClass {
  const out: ResponsesByClass = {
    total: count(stats, 'downloader/response_count'),
    '1xx': 0,
    '2xx': 0,
    '3xx': 0,
    '4xx': 0,
    '5xx': 0,
  };
  for (const key of Object.keys(stats)) {
    const m = STATUS_KEY.exec(key);
    if (!m) continue;
    const cls = `${m[1]![0]}xx`;
    if (cls === '1xx' || cls === '2xx' || cls === '3xx' || cls === '4xx' || cls === '5xx') {
      out[cls] += count(stats, key);
    }
  }
  return out;
}

export function summarize(stats: CrawlStats, exceptions: CrawlExceptions, at: number, final: boolean): JobStatsSummary {
  const logCounts = Object.fromEntries(LEVELS.map((l) => [l, count(stats, `log_count/${l}`)])) as LogCounts;
  const reason = stats.finish_reason;
  return {
    at,
    final,
    items: count(stats, 'item_scraped_count'),
    requests: count(stats, 'downloader/request_count'),
    responses: responsesByClass(stats),
    errors: logCounts.ERROR + logCounts.CRITICAL,
    logCounts,
    exceptions: exceptions.total,
    finishReason: typeof reason === 'string' ? reason.slice(0, 200) : null,
  };
}

export function pointOf(s: JobStatsSummary): JobStatsPoint {
  return { at: s.at, items: s.items, requests: s.requests, responses: s.responses.total, errors: s.errors };
}

/**
 * The series with `point` added, at most `max` points. Points at or before the last one's time replace it (a
 * replayed or final snapshot); when full, every other point of the older half is dropped, so recent progress stays
 * at full resolution and the whole run stays covered at a coarser one.
 */
export function appendPoint(
  series: readonly JobStatsPoint[],
  point: JobStatsPoint,
  max = SERIES_MAX_POINTS,
): JobStatsPoint[] {
  const out = series.slice();
  while (out.length > 0 && out[out.length - 1]!.at >= point.at) out.pop();
  out.push(point);
  if (out.length <= max) return out;
  const half = Math.floor(out.length / 2);
  // Keep the first point (the run's start) and every other one after it, in the older half.
  const older = out.slice(0, half).filter((_, i) => i % 2 === 0);
  return [...older, ...out.slice(half)].slice(-max);
}

/** The additive `stats` of a Scrapyd listjobs.json entry. */
export function toScrapydStats(s: JobStatsSummary): z.infer<typeof ScrapydJobStats> {
  return {
    items: s.items,
    requests: s.requests,
    responses: s.responses,
    errors: s.errors,
    log_count: { ...s.logCounts },
    finish_reason: s.finishReason,
  };
}
