/**
 * A run's counters turned into what its charts draw (pure): items and requests per minute between consecutive
 * samples of the cumulative series, and responses by HTTP status from the Scrapy stats keys.
 */
import type { JobStatsPoint } from '@scrapyard/protocol';

export interface RateSeries {
  /** Seconds since the epoch (uPlot's x). */
  x: number[];
  items: number[];
  requests: number[];
}

/** Per-minute rates between samples; a counter that went down (a new attempt) starts again from zero. */
export function perMinute(points: readonly JobStatsPoint[]): RateSeries {
  const out: RateSeries = { x: [], items: [], requests: [] };
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1]!;
    const b = points[i]!;
    const dt = b.at - a.at;
    if (dt <= 0) continue;
    const rate = (from: number, to: number) => (Math.max(0, to - (to < from ? 0 : from)) * 60_000) / dt;
    out.x.push(b.at / 1_000);
    out.items.push(rate(a.items, b.items));
    out.requests.push(rate(a.requests, b.requests));
  }
  return out;
}

/** Adds a live sample to the series (in time order; a sample not newer than the last is dropped). */
export function appendPoint(points: readonly JobStatsPoint[], p: JobStatsPoint, max = 2_000): JobStatsPoint[] {
  const last = points.at(-1);
  if (last && p.at <= last.at) return points as JobStatsPoint[];
  const out = [...points, p];
  return out.length > max ? out.slice(out.length - max) : out;
}

const STATUS_KEY = /^downloader\/response_status_count\/(\d{3})$/;

/** `[['200', 140], ['404', 3]]`: responses by status, ascending. */
export function responsesByStatus(stats: Readonly<Record<string, unknown>> | null): [string, number][] {
  if (!stats) return [];
  const out: [string, number][] = [];
  for (const [key, value] of Object.entries(stats)) {
    const m = STATUS_KEY.exec(key);
    if (m && typeof value === 'number') out.push([m[1]!, value]);
  }
  return out.sort((a, b) => a[0].localeCompare(b[0]));
}
