/**
 * The queue: pending jobs in, in dispatch order, and out when cancelled. Pending order is global: priority desc,
 * then arrival (seq); unlike Scrapyd, one busy project cannot starve the others (docs/scrapyd-api.md §10 W2). A
 * cancelled pending job is deleted, as in Scrapyd.
 */
import type { DeleteQueryBuilder, DeleteResult, Insertable } from 'kysely';
import type { Db } from '../../database.js';
import type { Database, JobsTable } from '../../schema.js';
import type { JobRow, NewJob, PendingClass } from '../jobs.js';
import type { ProjectFilter } from '../project-filter.js';
import { selectInState, unlessNothing } from './reads.js';

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

export function jobQueue(db: Db) {
  const insertBatched = createInsertBatcher(db);
  const inState = (state: 'pending', project?: string, visible: ProjectFilter = '*') =>
    selectInState(db, state, project, visible);

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

  /** The pending or running job holding a unique key. */
  const activeWithKey = (key: string): Promise<JobRow | undefined> =>
    db.selectFrom('jobs').selectAll().where('unique_key', '=', key).where('state', '!=', 'finished').executeTakeFirst();

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
        if ((await activeWithKey(job.uniqueKey!)) !== undefined) return false;
        throw e;
      }
    },

    activeWithKey,

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

    /** Deletes a job's pending run (a cancel); returns the rows removed. */
    async deletePending(project: string, jobId: string): Promise<JobRow[]> {
      return deletePendingWhere((q) => q.where('project', '=', project).where('job_id', '=', jobId));
    },

    /** Deletes every pending job of a project (deviation D7); returns the rows removed. */
    async deletePendingOfProject(project: string): Promise<JobRow[]> {
      return deletePendingWhere((q) => q.where('project', '=', project));
    },

    listPending: (project?: string, visible: ProjectFilter = '*') =>
      unlessNothing(visible, () =>
        inState('pending', project, visible).orderBy('priority', 'desc').orderBy('seq').execute(),
      ),
  };
}
