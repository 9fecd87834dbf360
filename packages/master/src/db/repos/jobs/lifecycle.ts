/**
 * A job's way through its states once queued: claimed by a node, started, stopped or cancelled, finished (the
 * oldest finished trimmed in the same transaction), or requeued under a new run id, its run kept as an attempt.
 */
import type { Db } from '../../database.js';
import { forUpdate } from '../../dialect.js';
import type { FinishInfo, JobRow } from '../jobs.js';

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

export function jobLifecycle(db: Db) {
  return {
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

    /** The agent confirmed it applied the `count`-th cancel of a run. */
    async recordCancelDelivered(runId: string, count: number): Promise<void> {
      await db
        .updateTable('jobs')
        .set({ cancel_delivered: count })
        .where('run_id', '=', runId)
        .where('cancel_delivered', '<', count)
        .execute();
    },

    /** Keeps the `keep` most recently finished jobs; returns how many it removed (their files are left to retention). */
    trimFinished(keep: number): Promise<number> {
      return db.transaction().execute((trx) => trimFinishedIn(trx, keep));
    },
  };
}
