/**
 * What the jobs table answers without changing it: rows by run id or Scrapyd job id, the REST list's pages, the
 * lists and counts of each state (Scrapyd's listjobs.json, status.json, /metrics) and a run's earlier attempts.
 */
import type { Db } from '../../database.js';
import type { JobStateColumn } from '../../schema.js';
import type { JobRow } from '../jobs.js';
import { jobsInProjects, seesNothing, type ProjectFilter } from '../project-filter.js';
import { listPage, type PageQuery } from './list-page.js';

/** The jobs in one state, optionally of one project, within the visible ones (ordering left to the caller). */
export function selectInState(db: Db, state: JobStateColumn, project?: string, visible: ProjectFilter = '*') {
  let q = db.selectFrom('jobs').selectAll().where('state', '=', state);
  if (project !== undefined) q = q.where('project', '=', project);
  return jobsInProjects(q, visible);
}

/** Runs a list query unless the filter leaves nothing to find. */
export const unlessNothing = <R>(visible: ProjectFilter, run: () => Promise<R[]>): Promise<R[]> =>
  seesNothing(visible) ? Promise.resolve([]) : run();

const NO_JOBS = { pending: 0, running: 0, finished: 0 } as const;

/** Jobs that ended in [since, until), counted by outcome (its plan is checked by list-plans.test.ts). */
export function endedBetweenQuery(db: Db, since: number, until: number, visible: ProjectFilter) {
  return jobsInProjects(
    db.selectFrom('jobs').select((eb) => ['outcome', eb.fn.countAll<number>().as('n')]),
    visible,
  )
    .where('state', '=', 'finished')
    .where('ended_at', '>=', since)
    .where('ended_at', '<', until)
    .groupBy('outcome');
}

export function jobReads(db: Db) {
  const inState = (state: JobStateColumn, project?: string, visible: ProjectFilter = '*') =>
    selectInState(db, state, project, visible);
  return {
    /** The latest run of a Scrapyd job id (ids may repeat), optionally within a project, among visible ones. */
    async latestByJobId(jobId: string, project?: string, visible: ProjectFilter = '*'): Promise<JobRow | undefined> {
      if (seesNothing(visible)) return undefined;
      let q = db.selectFrom('jobs').selectAll().where('job_id', '=', jobId);
      if (project !== undefined) q = q.where('project', '=', project);
      return jobsInProjects(q, visible).orderBy('seq', 'desc').limit(1).executeTakeFirst();
    },

    async byRunId(runId: string): Promise<JobRow | undefined> {
      return db.selectFrom('jobs').selectAll().where('run_id', '=', runId).executeTakeFirst();
    },

    /** The rows of these run ids (one query; callers keep the list short: an agent's hello goes in batches). */
    async byRunIds(runIds: readonly string[]): Promise<JobRow[]> {
      if (runIds.length === 0) return [];
      return db.selectFrom('jobs').selectAll().where('run_id', 'in', runIds).execute();
    },

    async running(project: string, jobId: string): Promise<JobRow[]> {
      return inState('running', project).where('job_id', '=', jobId).execute();
    },

    /** A page of jobs for the REST API, newest first (list-page.ts). */
    page: (f: PageQuery): Promise<JobRow[]> => listPage(db, f),

    /** Running jobs of a node with cancels its agent has not confirmed. */
    async undeliveredCancels(nodeId: string): Promise<JobRow[]> {
      return db
        .selectFrom('jobs')
        .selectAll()
        .where('state', '=', 'running')
        .where('node_id', '=', nodeId)
        .whereRef('cancel_delivered', '<', 'cancel_count')
        .execute();
    },

    /** Running jobs per project and spider (for concurrency caps). */
    async runningCounts(): Promise<{ project: string; spider: string; n: number }[]> {
      const rows = await db
        .selectFrom('jobs')
        .select((eb) => ['project', 'spider', eb.fn.countAll<number>().as('n')])
        .where('state', '=', 'running')
        .groupBy(['project', 'spider'])
        .execute();
      return rows.map((r) => ({ project: r.project, spider: r.spider, n: Number(r.n) }));
    },

    /** Nodes that hold running jobs (at start-up, every one of them is offline until it reconnects). */
    async nodesWithRunningJobs(): Promise<string[]> {
      const rows = await db
        .selectFrom('jobs')
        .select('node_id')
        .distinct()
        .where('state', '=', 'running')
        .where('node_id', 'is not', null)
        .execute();
      return rows.map((r) => r.node_id!);
    },

    /** Earlier runs of a job (lost and requeued), oldest first. */
    async attemptsOf(seq: number) {
      return db
        .selectFrom('job_attempts')
        .selectAll()
        .where('job_seq', '=', seq)
        .orderBy('attempt')
        .orderBy('ended_at')
        .execute();
    },

    listRunning: (project?: string, visible: ProjectFilter = '*') =>
      unlessNothing(visible, () => inState('running', project, visible).orderBy('started_at').orderBy('seq').execute()),
    listFinished: (project?: string, visible: ProjectFilter = '*') =>
      unlessNothing(visible, () =>
        inState('finished', project, visible).orderBy('ended_at', 'desc').orderBy('seq', 'desc').execute(),
      ),
    runningOnNode: (nodeId: string) =>
      db.selectFrom('jobs').selectAll().where('state', '=', 'running').where('node_id', '=', nodeId).execute(),

    /** Jobs per state, over the visible projects (daemonstatus.json). */
    async counts(visible: ProjectFilter = '*'): Promise<Record<JobStateColumn, number>> {
      if (seesNothing(visible)) return { ...NO_JOBS };
      const rows = await jobsInProjects(
        db.selectFrom('jobs').select((eb) => ['state', eb.fn.countAll<number>().as('n')]),
        visible,
      )
        .groupBy('state')
        .execute();
      const out: Record<JobStateColumn, number> = { ...NO_JOBS };
      for (const r of rows) out[r.state] = Number(r.n);
      return out;
    },

    /**
     * Pending and running jobs: a range of the `jobs_queue` index (state first), so its cost follows the active
     * jobs, not the finished history (the /metrics scrape runs it).
     */
    async activeCounts(visible: ProjectFilter = '*'): Promise<{ pending: number; running: number }> {
      if (seesNothing(visible)) return { pending: 0, running: 0 };
      const rows = await jobsInProjects(
        db.selectFrom('jobs').select((eb) => ['state', eb.fn.countAll<number>().as('n')]),
        visible,
      )
        .where('state', 'in', ['pending', 'running'])
        .groupBy('state')
        .execute();
      const out = { pending: 0, running: 0 };
      for (const r of rows) if (r.state === 'pending' || r.state === 'running') out[r.state] = Number(r.n);
      return out;
    },

    /** Jobs that ended in [since, until), by outcome: a range of the `jobs_finished` index (state, ended_at). */
    async endedBetween(since: number, until: number, visible: ProjectFilter = '*'): Promise<Record<string, number>> {
      if (seesNothing(visible)) return {};
      const rows = await endedBetweenQuery(db, since, until, visible).execute();
      return Object.fromEntries(rows.map((r) => [r.outcome ?? 'unknown', Number(r.n)]));
    },

    /** status.json: finished first, then running, then pending (Scrapyd's precedence), among visible projects. */
    async currentState(jobId: string, project?: string, visible: ProjectFilter = '*'): Promise<JobStateColumn | null> {
      if (seesNothing(visible)) return null;
      let q = db.selectFrom('jobs').select('state').where('job_id', '=', jobId);
      if (project !== undefined) q = q.where('project', '=', project);
      const states = new Set((await jobsInProjects(q, visible).execute()).map((r) => r.state));
      for (const s of ['finished', 'running', 'pending'] as const) if (states.has(s)) return s;
      return null;
    },
  };
}
