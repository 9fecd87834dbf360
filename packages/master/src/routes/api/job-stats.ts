/**
 * GET /api/v1/jobs/:jobId/stats?project=: the latest run's live Scrapy stats — summary, whole latest snapshot (the
 * final one once the crawl ended), the downsampled series of its counters, and the exceptions it raised with their
 * tracebacks. A job that has not reported (pending, or a crawl that never got far) answers with nulls.
 */
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { JobId, JobStatsResponse, ProjectName } from '@scrapyard/protocol';
import type { JobStatsRepo } from '../../db/repos/job-stats.js';
import type { ProjectFilter } from '../../db/repos/project-filter.js';
import type { JobService } from '../../jobs/job-service.js';
import { inQuery, needs } from '../../auth/access-rules.js';
import { ApiError } from './api-error.js';
import { parseOr400 } from '@scrapyard/protocol';
import type { CheckedApp } from './checked-answers.js';

const Params = z.object({ jobId: JobId });
const Query = z.object({ project: ProjectName.optional() }).strict();

export function jobStatsRoutes(
  app: CheckedApp,
  o: { jobs: JobService; stats: JobStatsRepo; visible: (req: FastifyRequest) => ProjectFilter },
): void {
  const opts = { schema: { response: { 200: JobStatsResponse } }, config: needs('read', inQuery()) };
  app.get('/jobs/:jobId/stats', opts, async (req) => {
    const { jobId } = parseOr400(Params, req.params, 'path');
    const { project } = parseOr400(Query, req.query, 'query');
    const row = await o.jobs.latest(jobId, project, o.visible(req));
    if (!row) throw new ApiError('NOT_FOUND', `no job ${jobId}${project ? ` in project ${project}` : ''}`);
    const s = row.state === 'pending' ? undefined : await o.stats.get(row.run_id);
    return {
      id: row.job_id,
      project: row.project,
      runId: row.run_id,
      summary: s?.summary ?? null,
      stats: s?.stats ?? null,
      series: s?.series ?? [],
      exceptions: s?.exceptions ?? null,
    };
  });
}
