/**
 * Job events as the database remembers them, for durable consumers catching up (events/job-history.ts turns the
 * rows into events): runs started, runs finished, and attempts that ended with a requeue, at or after a time.
 */
import type { Db } from '../database.js';

const n = (v: number | null): number | null => (v === null ? null : Number(v));

export function createJobHistoryRepo(db: Db) {
  const runs = db
    .selectFrom('jobs')
    .select([
      'job_id',
      'run_id',
      'project',
      'spider',
      'node_id',
      'pid',
      'attempt',
      'started_at',
      'ended_at',
      'outcome',
      'exit_code',
      'reason',
    ]);
  return {
    async started(at: number, limit: number) {
      const rows = await runs.where('started_at', '>=', at).orderBy('started_at').orderBy('seq').limit(limit).execute();
      return rows.map((r) => ({ ...r, started_at: Number(r.started_at), ended_at: n(r.ended_at) }));
    },
    async finished(at: number, limit: number) {
      const rows = await runs
        .where('state', '=', 'finished')
        .where('ended_at', '>=', at)
        .orderBy('ended_at')
        .orderBy('seq')
        .limit(limit)
        .execute();
      return rows.map((r) => ({ ...r, started_at: n(r.started_at), ended_at: Number(r.ended_at) }));
    },
    async requeued(at: number, limit: number) {
      const rows = await db
        .selectFrom('job_attempts as a')
        .innerJoin('jobs as j', 'j.seq', 'a.job_seq')
        .select([
          'a.run_id',
          'a.attempt',
          'a.ended_at',
          'a.reason',
          'j.job_id',
          'j.run_id as current_run_id',
          'j.project',
          'j.spider',
        ])
        .where('a.ended_at', '>=', at)
        .orderBy('a.ended_at')
        .limit(limit)
        .execute();
      return rows.map((r) => ({ ...r, ended_at: Number(r.ended_at) }));
    },
  };
}
export type JobHistoryRepo = ReturnType<typeof createJobHistoryRepo>;
