/**
 * Jobs in all three states. Pending order is global: priority desc, then arrival (seq) — unlike Scrapyd, one busy
 * project cannot starve the others (docs/scrapyd-api.md §10 W2). A cancelled pending job is deleted, as in Scrapyd.
 */
import type { DeleteQueryBuilder, DeleteResult, Insertable, Selectable } from 'kysely';
import type { Database } from '../schema.js';
import type { Db } from '../database.js';
import { forUpdate } from '../dialect.js';
import type { JobsTable, JobStateColumn } from '../schema.js';

export type JobRow = Selectable<JobsTable>;

export interface NewJob {
  runId: string;
  jobId: string;
  project: string;
  spider: string;
  versionRequested: string | null;
  settings: [string, string][];
  args: [string, string][];
  priority: number;
  createdAt: number;
  /** Normalized (sorted, unique). */
  tags: string[];
  /** The schedule whose fire made it. */
  scheduleId?: string | null;
  /** Its own run limits (JSON-serializable), or null. */
  policy?: object | null;
  /** Its unique key (policy uniqueArgs), or null. */
  uniqueKey?: string | null;
}

/** Filters of the REST job list. */
export interface JobFilter {
  project?: string;
  spider?: string;
  states?: JobStateColumn[];
  nodeId?: string;
  outcome?: string;
}

/** Pending jobs that share tags, project and spider share a placement verdict. */
export interface PendingClass {
  tags: string;
  project: string;
  spider: string;
}

export interface FinishInfo {
  endedAt: number;
  startedAt: number | null;
  exitCode: number | null;
  signal: string | null;
  outcome: string;
  reason: string | null;
}

type PendingFilter = DeleteQueryBuilder<Database, 'jobs', DeleteResult>;

/** Most rows in one group-committed INSERT (well under SQLite's bound-parameter limit). */
const INSERT_BATCH_MAX = 500;

function toInsert(job: NewJob): Insertable<JobsTable> {
  return {
    run_id: job.runId,
    job_id: job.jobId,
    project: job.project,
    spider: job.spider,
    version_requested: job.versionRequested,
    version: null,
    settings: JSON.stringify(job.settings),
    args: JSON.stringify(job.args),
    priority: job.priority,
    state: 'pending',
    node_id: null,
    pid: null,
    created_at: job.createdAt,
    started_at: null,
    ended_at: null,
    exit_code: null,
    signal: null,
    outcome: null,
    reason: null,
    cancel_count: 0,
    cancel_signal: null,
    tags: JSON.stringify(job.tags),
    schedule_id: job.scheduleId ?? null,
    policy: job.policy ? JSON.stringify(job.policy) : null,
    unique_key: job.uniqueKey ?? null,
  };
}

/**
 * Group commit for schedule.json: inserts that arrive in the same event-loop turn share one multi-row INSERT
 * (one transaction), and each caller is answered only after that commit. Durability per request is unchanged;
 * the write cost per job drops several-fold under concurrent load.
 */
function createInsertBatcher(db: Db) {
  let queue: { row: Insertable<JobsTable>; resolve: () => void; reject: (e: unknown) => void }[] = [];
  let scheduled = false;
  const flush = async () => {
    scheduled = false;
    while (queue.length > 0) {
      const batch = queue.slice(0, INSERT_BATCH_MAX);
      queue = queue.slice(batch.length);
      try {
        await db
          .insertInto('jobs')
          .values(batch.map((b) => b.row))
          .execute();
        for (const b of batch) b.resolve();
      } catch (e) {
        for (const b of batch) b.reject(e);
      }
    }
  };
  return (job: NewJob): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      queue.push({ row: toInsert(job), resolve, reject });
      if (!scheduled) {
        scheduled = true;
        setImmediate(() => void flush());
      }
    });
}

/** Deletes all but the `keep` most recently finished jobs (and their earlier attempts), within `trx`. */
async function trimFinishedIn(trx: Db, keep: number): Promise<number> {
  const cutoff = await trx
    .selectFrom('jobs')
    .select(['ended_at', 'seq'])
    .where('state', '=', 'finished')
    .orderBy('ended_at', 'desc')
    .orderBy('seq', 'desc')
    .offset(keep)
    .limit(1)
    .executeTakeFirst();
  if (!cutoff) return 0;
  const older = (q: ReturnType<typeof trx.selectFrom<'jobs'>>) =>
    q
      .where('state', '=', 'finished')
      .where((eb) =>
        eb.or([
          eb('ended_at', '<', cutoff.ended_at),
          eb.and([eb('ended_at', '=', cutoff.ended_at), eb('seq', '<=', cutoff.seq)]),
        ]),
      );
  await trx
    .deleteFrom('job_attempts')
    .where('job_seq', 'in', older(trx.selectFrom('jobs')).select('seq'))
    .execute();
  // Live stats of the job's runs (this one and earlier attempts) go with it.
  await trx
    .deleteFrom('job_stats')
    .where('job_seq', 'in', older(trx.selectFrom('jobs')).select('seq'))
    .execute();
  const res = await trx
    .deleteFrom('jobs')
    .where('seq', 'in', older(trx.selectFrom('jobs')).select('seq'))
    .executeTakeFirst();
  return Number(res.numDeletedRows);
}

export function createJobsRepo(db: Db) {
  const insertBatched = createInsertBatcher(db);
  const inState = (state: JobStateColumn, project?: string) => {
    let q = db.selectFrom('jobs').selectAll().where('state', '=', state);
    if (project !== undefined) q = q.where('project', '=', project);
    return q;
  };

  /** Deletes pending jobs (and the earlier attempts they carry) in one transaction; returns the jobs removed. */
  const deletePendingWhere = (filter: (q: PendingFilter) => PendingFilter) =>
    db.transaction().execute(async (trx) => {
      const rows = await filter(trx.deleteFrom('jobs').where('state', '=', 'pending'))
        .returningAll()
        .execute();
      const seqs = rows.map((r) => r.seq);
      for (let i = 0; i < seqs.length; i += INSERT_BATCH_MAX) {
        await trx
          .deleteFrom('job_attempts')
          .where('job_seq', 'in', seqs.slice(i, i + INSERT_BATCH_MAX))
          .execute();
        // A requeued job's earlier attempts may have stats.
        await trx
          .deleteFrom('job_stats')
          .where('job_seq', 'in', seqs.slice(i, i + INSERT_BATCH_MAX))
          .execute();
      }
      return rows;
    });

  return {
    /** Queues a job; resolves once it is committed (group-committed with concurrent calls). */
    insertPending(job: NewJob): Promise<void> {
      return insertBatched(job);
    },

    /**
     * Queues a job with a unique key, alone (not group-committed: a refused duplicate must not fail the others'
     * batch). The partial unique index refuses it when a pending or running job has the key: false then.
     */
    async insertUnique(job: NewJob): Promise<boolean> {
      try {
        await db.insertInto('jobs').values(toInsert(job)).execute();
        return true;
      } catch (e) {
        if ((await this.activeWithKey(job.uniqueKey!)) !== undefined) return false;
        throw e;
      }
    },

    /** The pending or running job holding a unique key. */
    activeWithKey: (key: string): Promise<JobRow | undefined> =>
      db
        .selectFrom('jobs')
        .selectAll()
        .where('unique_key', '=', key)
        .where('state', '!=', 'finished')
        .executeTakeFirst(),

    /** The next pending jobs in dispatch order, skipping those already being placed. */
    async nextPending(limit: number): Promise<JobRow[]> {
      return inState('pending').orderBy('priority', 'desc').orderBy('seq', 'asc').limit(limit).execute();
    },

    /** The distinct placement classes among pending jobs ready at `at` (a retry waits for its backoff). */
    async pendingClasses(at = Number.MAX_SAFE_INTEGER): Promise<PendingClass[]> {
      return db
        .selectFrom('jobs')
        .select(['tags', 'project', 'spider'])
        .distinct()
        .where('state', '=', 'pending')
        .where((eb) => eb.or([eb('not_before', 'is', null), eb('not_before', '<=', at)]))
        .execute();
    },

    /** When the next pending job still in its backoff becomes ready, or null. */
    async nextReadyAt(at: number): Promise<number | null> {
      const r = await db
        .selectFrom('jobs')
        .select((eb) => eb.fn.min('not_before').as('next'))
        .where('state', '=', 'pending')
        .where('not_before', '>', at)
        .executeTakeFirst();
      return r?.next == null ? null : Number(r.next);
    },

    /** Like nextPending, restricted to the given classes (all when null) and to jobs ready at `at`. */
    async nextPendingIn(
      classes: PendingClass[] | null,
      limit: number,
      at = Number.MAX_SAFE_INTEGER,
    ): Promise<JobRow[]> {
      let q = inState('pending').where((eb) => eb.or([eb('not_before', 'is', null), eb('not_before', '<=', at)]));
      if (classes !== null) {
        if (classes.length === 0) return [];
        q = q.where((eb) =>
          eb.or(
            classes.map((c) =>
              eb.and([eb('tags', '=', c.tags), eb('project', '=', c.project), eb('spider', '=', c.spider)]),
            ),
          ),
        );
      }
      return q.orderBy('priority', 'desc').orderBy('seq', 'asc').limit(limit).execute();
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

    /**
     * Puts a running job back in the queue under a new run id, keeping its place (seq and priority). The old run
     * id stops existing, so anything an agent later says about it is ignored (and the run is killed if alive);
     * the run that ended is kept in `job_attempts` with `outcome`.
     */
    async requeue(
      runId: string,
      newRunId: string,
      o: { countAttempt: boolean; reason: string; endedAt: number; outcome: string; notBefore?: number | null },
    ): Promise<JobRow | undefined> {
      return db.transaction().execute(async (trx) => {
        const old = await forUpdate(
          trx,
          trx.selectFrom('jobs').selectAll().where('run_id', '=', runId).where('state', '=', 'running'),
        ).executeTakeFirst();
        if (!old) return undefined;
        await trx
          .insertInto('job_attempts')
          .values({
            run_id: old.run_id,
            job_seq: old.seq,
            attempt: old.attempt,
            node_id: old.node_id,
            pid: old.pid,
            started_at: old.started_at,
            ended_at: o.endedAt,
            outcome: o.outcome,
            reason: o.reason,
          })
          .execute();
        return trx
          .updateTable('jobs')
          .set((eb) => ({
            state: 'pending',
            run_id: newRunId,
            node_id: null,
            pid: null,
            version: null,
            started_at: null,
            ended_at: null,
            exit_code: null,
            signal: null,
            outcome: null,
            reason: `attempt ${old.attempt} ${o.outcome} (${o.reason}); requeued`,
            cancel_count: 0,
            cancel_signal: null,
            // The next attempt starts clean: a limit the old run hit is not held against it.
            stop_reason: null,
            stop_outcome: null,
            not_before: o.notBefore ?? null,
            attempt: o.countAttempt ? eb('attempt', '+', 1) : eb.ref('attempt'),
          }))
          .where('seq', '=', old.seq)
          .returningAll()
          .executeTakeFirst();
      });
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

    /** A run declared lost whose node came back with it still running: it is running again. */
    async resurrect(runId: string, nodeId: string): Promise<boolean> {
      const res = await db
        .updateTable('jobs')
        .set({ state: 'running', node_id: nodeId, ended_at: null, outcome: null, reason: null })
        .where('run_id', '=', runId)
        .where('state', '=', 'finished')
        .where('outcome', '=', 'lost')
        .executeTakeFirst();
      return Number(res.numUpdatedRows) === 1;
    },

    /** Moves a pending job to running on a node; false if it is no longer pending (cancelled meanwhile). */
    async claim(seq: number, nodeId: string, version: string, now: number): Promise<boolean> {
      const res = await db
        .updateTable('jobs')
        .set({ state: 'running', node_id: nodeId, version, started_at: now })
        .where('seq', '=', seq)
        .where('state', '=', 'pending')
        .executeTakeFirst();
      return Number(res.numUpdatedRows) === 1;
    },

    /** Records the crawl's pid; `changed` is false for a replay (same pid already recorded) or a run not running. */
    async markStarted(
      runId: string,
      pid: number,
      startedAt: number,
    ): Promise<{ row: JobRow; changed: boolean } | undefined> {
      const res = await db
        .updateTable('jobs')
        .set({ pid, started_at: startedAt })
        .where('run_id', '=', runId)
        .where('state', '=', 'running')
        .where((eb) => eb.or([eb('pid', 'is', null), eb('pid', '!=', pid)]))
        .executeTakeFirst();
      const row = await db.selectFrom('jobs').selectAll().where('run_id', '=', runId).executeTakeFirst();
      return row && { row, changed: Number(res.numUpdatedRows) === 1 };
    },

    /**
     * Idempotent: a replayed finish for an already finished job changes nothing (a guessed `lost` is replaced).
     * The finished jobs beyond `keepFinished` go in the same transaction, so no reader sees one more than kept.
     */
    async markFinished(runId: string, f: FinishInfo, keepFinished: number): Promise<boolean> {
      return db.transaction().execute(async (trx) => {
        const res = await trx
          .updateTable('jobs')
          .set((eb) => ({
            state: 'finished',
            ended_at: f.endedAt,
            started_at: f.startedAt ?? eb.ref('started_at'),
            exit_code: f.exitCode,
            signal: f.signal,
            outcome: f.outcome,
            reason: f.reason,
          }))
          .where('run_id', '=', runId)
          // `lost` was the master's guess while the node was away: the agent's real ending replaces it.
          .where((eb) => eb.or([eb('state', '!=', 'finished'), eb('outcome', '=', 'lost')]))
          .executeTakeFirst();
        if (Number(res.numUpdatedRows) !== 1) return false;
        await trimFinishedIn(trx, keepFinished);
        return true;
      });
    },

    /** The latest run of a Scrapyd job id (ids may repeat), optionally within a project. */
    async latestByJobId(jobId: string, project?: string): Promise<JobRow | undefined> {
      let q = db.selectFrom('jobs').selectAll().where('job_id', '=', jobId);
      if (project !== undefined) q = q.where('project', '=', project);
      return q.orderBy('seq', 'desc').limit(1).executeTakeFirst();
    },

    async byRunId(runId: string): Promise<JobRow | undefined> {
      return db.selectFrom('jobs').selectAll().where('run_id', '=', runId).executeTakeFirst();
    },

    /** The rows of these run ids (one query; callers keep the list short: an agent's hello goes in batches). */
    async byRunIds(runIds: readonly string[]): Promise<JobRow[]> {
      if (runIds.length === 0) return [];
      return db.selectFrom('jobs').selectAll().where('run_id', 'in', runIds).execute();
    },

    /** Deletes a job's pending run (a cancel); returns the rows removed. */
    async deletePending(project: string, jobId: string): Promise<JobRow[]> {
      return deletePendingWhere((q) => q.where('project', '=', project).where('job_id', '=', jobId));
    },

    /** Deletes every pending job of a project (deviation D7); returns the rows removed. */
    async deletePendingOfProject(project: string): Promise<JobRow[]> {
      return deletePendingWhere((q) => q.where('project', '=', project));
    },

    async running(project: string, jobId: string): Promise<JobRow[]> {
      return inState('running', project).where('job_id', '=', jobId).execute();
    },

    /** The master stops a run itself (a limit it exceeded): records why, once; false if already recorded. */
    async recordStop(runId: string, reason: string, outcome: string | null = null): Promise<boolean> {
      const res = await db
        .updateTable('jobs')
        .set({ stop_reason: reason, stop_outcome: outcome })
        .where('run_id', '=', runId)
        .where('state', '=', 'running')
        .where('stop_reason', 'is', null)
        .executeTakeFirst();
      return Number(res.numUpdatedRows) === 1;
    },

    /**
     * A page of jobs for the REST API, newest first (by arrival), filtered; `before` is the cursor: the `seq` of
     * the last job of the previous page.
     */
    async page(f: JobFilter & { before?: number; limit: number }): Promise<JobRow[]> {
      let q = db.selectFrom('jobs').selectAll();
      if (f.project !== undefined) q = q.where('project', '=', f.project);
      if (f.spider !== undefined) q = q.where('spider', '=', f.spider);
      if (f.states !== undefined) q = q.where('state', 'in', f.states);
      if (f.nodeId !== undefined) q = q.where('node_id', '=', f.nodeId);
      if (f.outcome !== undefined) q = q.where('outcome', '=', f.outcome);
      if (f.before !== undefined) q = q.where('seq', '<', f.before);
      return q.orderBy('seq', 'desc').limit(f.limit).execute();
    },

    /** The agent confirmed it applied the `count`-th cancel of a run. */
    async recordCancelDelivered(runId: string, count: number): Promise<void> {
      await db
        .updateTable('jobs')
        .set({ cancel_delivered: count })
        .where('run_id', '=', runId)
        .where('cancel_delivered', '<', count)
        .execute();
    },

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

    async recordCancel(runId: string, signal: string): Promise<number> {
      const row = await db
        .updateTable('jobs')
        .set((eb) => ({ cancel_count: eb('cancel_count', '+', 1), cancel_signal: signal }))
        .where('run_id', '=', runId)
        .where('state', '=', 'running')
        .returning('cancel_count')
        .executeTakeFirst();
      return row?.cancel_count ?? 0;
    },

    listPending: (project?: string) => inState('pending', project).orderBy('priority', 'desc').orderBy('seq').execute(),
    listRunning: (project?: string) => inState('running', project).orderBy('started_at').orderBy('seq').execute(),
    listFinished: (project?: string) =>
      inState('finished', project).orderBy('ended_at', 'desc').orderBy('seq', 'desc').execute(),
    runningOnNode: (nodeId: string) =>
      db.selectFrom('jobs').selectAll().where('state', '=', 'running').where('node_id', '=', nodeId).execute(),

    async counts(): Promise<Record<JobStateColumn, number>> {
      const rows = await db
        .selectFrom('jobs')
        .select((eb) => ['state', eb.fn.countAll<number>().as('n')])
        .groupBy('state')
        .execute();
      const out: Record<JobStateColumn, number> = { pending: 0, running: 0, finished: 0 };
      for (const r of rows) out[r.state] = Number(r.n);
      return out;
    },

    /**
     * Pending and running jobs: a range of the `jobs_queue` index (state first), so its cost follows the active
     * jobs, not the finished history (the /metrics scrape runs it).
     */
    async activeCounts(): Promise<{ pending: number; running: number }> {
      const rows = await db
        .selectFrom('jobs')
        .select((eb) => ['state', eb.fn.countAll<number>().as('n')])
        .where('state', 'in', ['pending', 'running'])
        .groupBy('state')
        .execute();
      const out = { pending: 0, running: 0 };
      for (const r of rows) if (r.state === 'pending' || r.state === 'running') out[r.state] = Number(r.n);
      return out;
    },

    /** status.json: finished first, then running, then pending (Scrapyd's precedence). */
    async currentState(jobId: string, project?: string): Promise<JobStateColumn | null> {
      let q = db.selectFrom('jobs').select('state').where('job_id', '=', jobId);
      if (project !== undefined) q = q.where('project', '=', project);
      const states = new Set((await q.execute()).map((r) => r.state));
      for (const s of ['finished', 'running', 'pending'] as const) if (states.has(s)) return s;
      return null;
    },

    /** Keeps the `keep` most recently finished jobs; returns how many it removed (their files are left to retention). */
    trimFinished(keep: number): Promise<number> {
      return db.transaction().execute((trx) => trimFinishedIn(trx, keep));
    },
  };
}
export type JobsRepo = ReturnType<typeof createJobsRepo>;
