/**
 * A job's log for the UI's viewer, never read whole (docs/ui-data.md):
 * - `GET /api/v1/jobs/:jobId/log?offset=&length=`: one byte range (≤ 1 MiB) as JSON, with the file's size;
 * - `GET /api/v1/jobs/:jobId/log/search?q=&from=&direction=`: matches found in a bounded scan, and where to go on;
 * - `GET /api/v1/jobs/:jobId/log/download`: the file as an attachment, with `Range` (one range; several: the whole).
 * The live tail is log-stream.ts. A job of a project the caller may not read is 404 like a missing one.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { FastifyRequest } from 'fastify';
import {
  LOG_SEARCH_LINE_BYTES,
  LogRange,
  LogRangeQuery,
  LogSearchQuery,
  LogSearchResult,
  parseOr400,
} from '@scrapyard/protocol';
import { inQuery, needs } from '../../auth/access-rules.js';
import { parseRange } from '../../byte-ranges.js';
import type { JobRow } from '../../db/repos/jobs.js';
import type { ProjectFilter } from '../../db/repos/project-filter.js';
import { jobFilePath, type JobFilesConfig } from '../../jobs/job-files.js';
import type { JobService } from '../../jobs/job-service.js';
import { readLogRange } from '../../jobs/log-range.js';
import { lineAround, searchBytes, withLogFile } from '../../jobs/log-search.js';
import { ApiError } from './api-error.js';
import type { CheckedApp } from './checked-answers.js';
import { jobFinder } from './jobs.js';

/** One search request reads at most this much (in chunks of SEARCH_CHUNK_BYTES) and runs at most this long. */
export const SEARCH_BUDGET_BYTES = 64 * 1024 * 1024;
const SEARCH_CHUNK_BYTES = 1024 * 1024;
const SEARCH_BUDGET_MS = 1_000;

export function jobLogRoutes(
  app: CheckedApp,
  o: { jobs: Pick<JobService, 'latest'>; files: JobFilesConfig; visible: (req: FastifyRequest) => ProjectFilter },
): void {
  const find = jobFinder(o);
  const logOf = (job: JobRow) => {
    const path = jobFilePath(o.files, 'log', job.project, job.spider, job.job_id);
    if (path === null) throw new ApiError('NOT_FOUND', 'logs are disabled on this master (logs_dir is empty)');
    return path;
  };

  const range = { schema: { response: { 200: LogRange } }, config: needs('read', inQuery()) };
  app.get('/jobs/:jobId/log', range, async (req) => {
    const q = parseOr400(LogRangeQuery, req.query, 'query');
    const job = await find(req, q);
    const slice = await readLogRange(logOf(job), q.offset, q.length);
    return { ...slice, growing: job.state !== 'finished' };
  });

  const search = { schema: { response: { 200: LogSearchResult } }, config: needs('read', inQuery()) };
  app.get('/jobs/:jobId/log/search', search, async (req) => {
    const q = parseOr400(LogSearchQuery, req.query, 'query');
    const job = await find(req, q);
    return withLogFile(logOf(job), async (read, size) => {
      const found = await searchBytes(read, size, {
        needle: Buffer.from(q.q, 'utf8'),
        from: q.from,
        direction: q.direction,
        limit: q.limit,
        ignoreCase: q.ignoreCase,
        chunkBytes: SEARCH_CHUNK_BYTES,
        budgetBytes: SEARCH_BUDGET_BYTES,
        deadline: Date.now() + SEARCH_BUDGET_MS,
      });
      const line = lineAround(read, size, LOG_SEARCH_LINE_BYTES);
      const matches = [];
      for (const offset of found.offsets) matches.push({ offset, ...(await line(offset)) });
      return { matches, next: found.next, size, scanned: found.scanned };
    });
  });

  app.get('/jobs/:jobId/log/download', { config: needs('read', inQuery()) }, async (req, reply) => {
    const job = await find(req);
    const path = logOf(job);
    const size = await stat(path).then(
      (s) => s.size,
      (e: NodeJS.ErrnoException) => {
        if (e.code === 'ENOENT') throw new ApiError('NOT_FOUND', `job ${job.job_id} has no log yet`);
        throw e;
      },
    );
    void reply.headers({
      'content-type': 'text/plain; charset=utf-8',
      'content-disposition': attachment(`${job.job_id}.log`),
      'accept-ranges': 'bytes',
    });
    const ranges = parseRange(req.headers.range, size);
    if (ranges !== null && ranges.length === 0) {
      return reply.code(416).header('content-range', `bytes */${size}`).send('');
    }
    // Several ranges are answered with the whole file (RFC 9110 allows it): the viewer asks for one.
    const one = ranges?.length === 1 ? ranges[0]! : null;
    const start = one?.start ?? 0;
    const end = one?.end ?? size - 1;
    if (one) void reply.code(206).header('content-range', `bytes ${start}-${end}/${size}`);
    void reply.header('content-length', String(Math.max(0, end - start + 1)));
    // Bounded by the size announced, even while the job keeps writing.
    return reply.send(end < start ? '' : createReadStream(path, { start, end }));
  });
}

/** A Content-Disposition naming the file: plain ASCII for every client, the exact name for RFC 6266 ones. */
export function attachment(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}
