/**
 * A job's log read by byte ranges and searched in bounded steps, so a log of any size opens at its end and is
 * searched without the master (or the browser) ever holding the whole file (docs/ui-data.md).
 */
import { z } from 'zod';
import { ProjectName } from '../primitives.js';

/** Most bytes one range request answers. */
export const LOG_RANGE_MAX_BYTES = 1024 * 1024;
/** Bytes answered when `length` is absent: the UI's first look at the end of a log. */
export const LOG_RANGE_DEFAULT_BYTES = 64 * 1024;

const Offset = z
  .string()
  .regex(/^-?\d{1,15}$/, 'must be an integer (negative: counted from the end)')
  .transform(Number);
const ByteCount = (max: number) => z.coerce.number().int().min(1).max(max);

/**
 * GET /api/v1/jobs/:jobId/log?offset=&length=. `offset` ≥ 0: from that byte; negative: that many bytes before the
 * end; absent: the last `length` bytes. The range is then moved to UTF-8 character boundaries.
 */
export const LogRangeQuery = z
  .object({
    project: ProjectName.optional(),
    offset: Offset.optional(),
    length: ByteCount(LOG_RANGE_MAX_BYTES).default(LOG_RANGE_DEFAULT_BYTES),
  })
  .strict();
export type LogRangeQuery = z.output<typeof LogRangeQuery>;

export const LogRange = z.object({
  /** The file's size when read (it may still grow while the job runs). */
  size: z.number().int().nonnegative(),
  /** The bytes served: [start, end). */
  start: z.number().int().nonnegative(),
  end: z.number().int().nonnegative(),
  /** Those bytes as UTF-8 (whole characters; a line may be cut at either edge). */
  text: z.string(),
  /** The job still runs (or waits): the log may grow. */
  growing: z.boolean(),
});
export type LogRange = z.infer<typeof LogRange>;

/** Most matches one search answers, and bytes of a line shown around a match. */
export const LOG_SEARCH_MAX_MATCHES = 500;
export const LOG_SEARCH_LINE_BYTES = 2048;

/**
 * GET /api/v1/jobs/:jobId/log/search?q=&from=&direction=forward|backward&limit=. Matches of `q` (literal; with
 * `ignoreCase`, ASCII letters match either case) starting at or after `from` (forward; default 0), or before it
 * (backward; default the end). One request scans a bounded number of bytes: `next` says where to go on.
 */
export const LogSearchQuery = z
  .object({
    project: ProjectName.optional(),
    q: z.string().min(1).max(256),
    from: z
      .string()
      .regex(/^\d{1,15}$/, 'must be a byte offset')
      .transform(Number)
      .optional(),
    direction: z.enum(['forward', 'backward']).default('forward'),
    limit: ByteCount(LOG_SEARCH_MAX_MATCHES).default(50),
    ignoreCase: z
      .enum(['true', 'false'])
      .default('false')
      .transform((v) => v === 'true'),
  })
  .strict();
export type LogSearchQuery = z.output<typeof LogSearchQuery>;

export const LogMatch = z.object({
  /** Byte offset of the match. */
  offset: z.number().int().nonnegative(),
  /** Byte offset where its line starts, and the line (at most LOG_SEARCH_LINE_BYTES each side of the match). */
  lineStart: z.number().int().nonnegative(),
  line: z.string(),
});
export type LogMatch = z.infer<typeof LogMatch>;

export const LogSearchResult = z.object({
  /** In the search's direction. */
  matches: z.array(LogMatch),
  /** Pass as `from` to go on in the same direction; null: the whole file (as of `size`) was searched. */
  next: z.number().int().nonnegative().nullable(),
  /** The file's size when searched, and the bytes this request scanned. */
  size: z.number().int().nonnegative(),
  scanned: z.number().int().nonnegative(),
});
export type LogSearchResult = z.infer<typeof LogSearchResult>;
