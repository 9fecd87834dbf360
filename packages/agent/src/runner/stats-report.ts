/**
 * What the runner's stats extension (python/scrapyard_stats.py) writes: one JSON report per socket connection, and
 * the same shape in the run's stats file at close. Crawl code is untrusted, so a report is size-capped and
 * validated before anything else looks at it. Pure, so it is unit-tested without a crawl.
 */
import { z } from 'zod';
import { CrawlExceptions, CrawlStats, EpochMs, type JobStats } from '@scrapyard/protocol';

/** Largest report accepted, on the socket or from the file (the extension shortens tracebacks to stay below it). */
export const MAX_REPORT_BYTES = 512 * 1024;

/** A report on the socket starts with the run's token: 64 hex digits and a newline (stats-channel.ts). */
export const TOKEN_LINE_BYTES = 65;

/** The token (32 bytes) and the report after it, or null when the bytes don't start with a token line. */
export function splitToken(bytes: Buffer): { token: Buffer; rest: Buffer } | null {
  if (bytes.length < TOKEN_LINE_BYTES || bytes[TOKEN_LINE_BYTES - 1] !== 0x0a) return null;
  const hex = bytes.subarray(0, TOKEN_LINE_BYTES - 1).toString('latin1');
  if (!/^[0-9a-f]{64}$/.test(hex)) return null;
  return { token: Buffer.from(hex, 'hex'), rest: bytes.subarray(TOKEN_LINE_BYTES) };
}

/** Longest Unix socket path Linux accepts (sun_path is 108 bytes with its NUL). */
export const SOCKET_PATH_MAX = 107;

/** Whether a run's socket path fits; when not, the crawl runs without live reports (final stats still arrive). */
export function socketPathFits(path: string): boolean {
  return Buffer.byteLength(path) <= SOCKET_PATH_MAX;
}

export const StatsReport = z.object({
  v: z.literal(1),
  at: EpochMs,
  final: z.boolean(),
  stats: CrawlStats,
  exceptions: CrawlExceptions,
  /** Absent in what the extension writes; `live` when the agent saved the last live report of a crawl that died. */
  source: z.enum(['live', 'dump']).optional(),
});
export type StatsReport = z.infer<typeof StatsReport>;

/** The report in `bytes`, or null for anything that is not a whole, valid one (garbage, truncated, oversized). */
export function parseReport(bytes: Buffer): StatsReport | null {
  if (bytes.length === 0 || bytes.length > MAX_REPORT_BYTES) return null;
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    return null;
  }
  const parsed = StatsReport.safeParse(json);
  return parsed.success ? parsed.data : null;
}

export function toJobStats(runId: string, r: StatsReport, final: boolean, source: JobStats['source']): JobStats {
  return { runId, at: r.at, final, source, stats: r.stats, exceptions: r.exceptions };
}
