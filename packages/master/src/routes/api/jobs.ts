/** /api/v1/jobs: jobs across the cluster with placement detail (tags, node, attempt, why pending), and metrics. */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { JobId, ProjectName, type JobInfo } from '@scrapyard/protocol';
import type { JobRow, JobsRepo } from '../../db/repos/jobs.js';
import type { MetricsRepo } from '../../db/repos/metrics.js';
import { ApiError } from '../../services/api-error.js';
import { parseOr400 } from './validate.js';

const ListQuery = z.object({
  project: ProjectName.optional(),
  state: z.enum(['pending', 'running', 'finished']).optional(),
});
const JobParams = z.object({ jobId: JobId });
const ProjectQuery = z.object({ project: ProjectName.optional() });

export interface JobViews {
  pendingReason(job: JobRow): Promise<string | null>;
  isUnreachable(nodeId: string | null): boolean;
}

export async function toJobInfo(j: JobRow, views: JobViews): Promise<JobInfo> {
  const num = (v: number | null) => (v === null ? null : Number(v));
  return {
    id: j.job_id,
    runId: j.run_id,
    project: j.project,
    spider: j.spider,
    state: j.state,
    nodeId: j.node_id === '' ? null : j.node_id,
    tags: JSON.parse(j.tags) as string[],
    priority: j.priority,
    attempt: j.attempt,
    pendingReason: j.state === 'pending' ? await views.pendingReason(j) : null,
    unreachable: j.state === 'running' && views.isUnreachable(j.node_id),
    pid: j.pid,
    outcome: j.outcome,
    exitCode: j.exit_code,
    reason: j.reason,
    createdAt: Number(j.created_at),
    startedAt: num(j.started_at),
    endedAt: num(j.ended_at),
  };
}

export function jobRoutes(app: FastifyInstance, o: { jobs: JobsRepo; metrics: MetricsRepo; views: JobViews }): void {
  const find = async (params: unknown, query: unknown) => {
    const { jobId } = parseOr400(JobParams, params, 'path');
    const { project } = parseOr400(ProjectQuery, query, 'query');
    const row = await o.jobs.latestByJobId(jobId, project);
    if (!row) throw new ApiError('NOT_FOUND', `no job ${jobId}${project ? ` in project ${project}` : ''}`);
    return row;
  };
  app.get('/jobs', async (req) => {
    const q = parseOr400(ListQuery, req.query, 'query');
    const states = q.state ? [q.state] : (['pending', 'running', 'finished'] as const);
    const rows: JobRow[] = [];
    for (const s of states) {
      if (s === 'pending') rows.push(...(await o.jobs.listPending(q.project)));
      if (s === 'running') rows.push(...(await o.jobs.listRunning(q.project)));
      if (s === 'finished') rows.push(...(await o.jobs.listFinished(q.project)));
    }
    return { jobs: await Promise.all(rows.map((r) => toJobInfo(r, o.views))) };
  });
  app.get('/jobs/:jobId', async (req) => toJobInfo(await find(req.params, req.query), o.views));
  app.get('/jobs/:jobId/metrics', async (req) => {
    const row = await find(req.params, req.query);
    return { samples: await o.metrics.jobSamples(row.run_id) };
  });
}
