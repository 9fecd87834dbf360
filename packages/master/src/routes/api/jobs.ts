/**
 * /api/v1/jobs: everything the Scrapyd API can do with jobs, in JSON, so new clients never need the Scrapyd
 * dialect. Submit, cancel, list with filters and cursor pagination, one job with its attempts, and its metrics.
 * Every change goes through the JobService, like the Scrapyd API's.
 */
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import {
  CancelJobRequest,
  CancelJobResponse,
  JobDetail,
  JobId,
  JobInfo,
  JobListQuery,
  JobMetrics,
  JobPage,
  ProjectName,
  SubmitJobRequest,
  type JobAttempt,
  type JobStatsSummary,
  type EffectivePolicy,
} from '@scrapyard/protocol';
import type { JobRow } from '../../db/repos/jobs.js';
import type { ProjectFilter } from '../../db/repos/project-filter.js';
import type { MetricsRepo } from '../../db/repos/metrics.js';
import type { JobService } from '../../jobs/job-service.js';
import { inBody, inQuery, needs } from '../../auth/access-rules.js';
import { ApiError } from './api-error.js';
import { parseOr400 } from '@scrapyard/protocol';
import type { CheckedApp } from './checked-answers.js';

const cursorOf = (seq: number) => Buffer.from(String(seq), 'latin1').toString('base64url');
const JobParams = z.object({ jobId: JobId });
const ProjectQuery = z.object({ project: ProjectName.optional() }).strict();

export interface JobViews {
  pendingReason(job: JobRow): Promise<string | null>;
  isUnreachable(nodeId: string | null): boolean;
  /** The run limits in force for the job. */
  limits(job: JobRow): EffectivePolicy;
  /** The run's live stats summary (batched across a page of jobs); absent: null. */
  stats?(runId: string): Promise<JobStatsSummary | null>;
}

const pairs = (json: string) => Object.fromEntries(JSON.parse(json) as [string, string][]);

export async function toJobInfo(j: JobRow, views: JobViews): Promise<JobInfo> {
  const num = (v: number | null) => (v === null ? null : Number(v));
  return {
    id: j.job_id,
    runId: j.run_id,
    project: j.project,
    spider: j.spider,
    state: j.state,
    versionRequested: j.version_requested,
    version: j.version === '' ? null : j.version,
    args: pairs(j.args),
    settings: pairs(j.settings),
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
    scheduleId: j.schedule_id,
    policy: views.limits(j),
    stats: j.state === 'pending' || !views.stats ? null : await views.stats(j.run_id),
  };
}

/**
 * The route's job (`:jobId`, `?project=`), its latest run, among the projects the caller may read: another
 * project's job answers 404 as a missing one. `query`: the query string as the route parsed it
 * (absent: only `project` is accepted).
 */
export function jobFinder(o: { jobs: Pick<JobService, 'latest'>; visible: (req: FastifyRequest) => ProjectFilter }) {
  return async (req: FastifyRequest, query?: { project?: string }) => {
    const { jobId } = parseOr400(JobParams, req.params, 'path');
    const { project } = query ?? parseOr400(ProjectQuery, req.query, 'query');
    const row = await o.jobs.latest(jobId, project, o.visible(req));
    if (!row) throw new ApiError('NOT_FOUND', `no job ${jobId}${project ? ` in project ${project}` : ''}`);
    return row;
  };
}

export function jobRoutes(
  app: CheckedApp,
  o: {
    jobs: JobService;
    metrics: MetricsRepo;
    views: JobViews;
    maxScheduleParams: number;
    /** The projects the caller may read (projectsVisible, auth/access.ts): a job of another answers 404 as a missing one. */
    visible: (req: FastifyRequest) => ProjectFilter;
  },
): void {
  const find = jobFinder(o);

  const list = { schema: { response: { 200: JobPage } }, config: needs('read', inQuery()) };
  app.get('/jobs', list, async (req) => {
    const q = parseOr400(JobListQuery, req.query, 'query');
    const rows = await o.jobs.page({
      project: q.project,
      spider: q.spider,
      states: q.state,
      nodeId: q.nodeId,
      outcome: q.outcome,
      tag: q.tag,
      timeField: `${q.time}_at`,
      since: q.since,
      until: q.until,
      before: q.cursor,
      limit: q.limit,
      visible: o.visible(req),
    });
    const last = rows.at(-1);
    return {
      jobs: await Promise.all(rows.map((r) => toJobInfo(r, o.views))),
      nextCursor: rows.length === q.limit && last ? cursorOf(last.seq) : null,
    };
  });

  const submit = { schema: { response: { 201: JobInfo } }, config: needs('schedule', inBody()) };
  app.post('/jobs', submit, async (req, reply) => {
    const body = parseOr400(SubmitJobRequest, req.body, 'body');
    const args = Object.entries(body.args);
    const settings = Object.entries(body.settings);
    for (const [what, list] of [
      ['args', args],
      ['settings', settings],
    ] as const) {
      if (list.length > o.maxScheduleParams) {
        throw new ApiError('BAD_REQUEST', `body.${what}: at most ${o.maxScheduleParams} entries are accepted`);
      }
    }
    const { runId } = await o.jobs.submit({
      project: body.project,
      spider: body.spider,
      version: body.version,
      jobId: body.jobId,
      priority: body.priority,
      args,
      settings,
      tags: body.tags,
      policy: body.policy,
    });
    const row = await o.jobs.byRunId(runId);
    if (!row) throw new ApiError('INTERNAL', `job ${runId} vanished after it was queued`);
    return reply.code(201).send(await toJobInfo(row, o.views));
  });

  const detail = { schema: { response: { 200: JobDetail } }, config: needs('read', inQuery()) };
  app.get('/jobs/:jobId', detail, async (req) => {
    const row = await find(req);
    const info = await toJobInfo(row, o.views);
    const earlier: JobAttempt[] = await Promise.all(
      (await o.jobs.attempts(row)).map(async (a) => ({
        attempt: a.attempt,
        runId: a.run_id,
        nodeId: a.node_id,
        startedAt: a.started_at === null ? null : Number(a.started_at),
        endedAt: Number(a.ended_at),
        outcome: a.outcome,
        reason: a.reason,
        stats: o.views.stats ? await o.views.stats(a.run_id) : null,
      })),
    );
    return { ...info, attempts: earlier };
  });

  const cancel = { schema: { response: { 200: CancelJobResponse } }, config: needs('cancel', inBody()) };
  app.post('/jobs/:jobId/cancel', cancel, async (req) => {
    const { jobId } = parseOr400(JobParams, req.params, 'path');
    const body = parseOr400(CancelJobRequest, req.body ?? {}, 'body');
    const { prevstate } = await o.jobs.cancel(
      body.project,
      jobId,
      body.signal === undefined ? undefined : String(body.signal),
    );
    if (prevstate === null) {
      const row = await o.jobs.latest(jobId, body.project);
      if (!row) throw new ApiError('NOT_FOUND', `no job ${jobId} in project ${body.project}`);
      throw new ApiError('CONFLICT', `job ${jobId} is already finished`);
    }
    return { id: jobId, project: body.project, previousState: prevstate };
  });

  const metrics = { schema: { response: { 200: JobMetrics } }, config: needs('read', inQuery()) };
  app.get('/jobs/:jobId/metrics', metrics, async (req) => {
    const row = await find(req);
    return { samples: await o.metrics.jobSamples(row.run_id) };
  });
}
