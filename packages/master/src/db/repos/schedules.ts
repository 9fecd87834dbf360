/**
 * Schedules and their fire ledger. `claim` is the one conditional insert that makes a fire happen once: whoever
 * inserts the (schedule, scheduled time) row owns the fire; everyone else (a restarted master replaying its
 * window, later a second master) sees it taken. Portable SQL only (SQLite and PostgreSQL).
 */
import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Db } from '../database.js';
import type { ScheduleFiresTable, SchedulesTable } from '../schema.js';

export type ScheduleRow = Selectable<SchedulesTable>;
export type FireRow = Selectable<ScheduleFiresTable>;
export type FireSettle = Pick<FireRow, 'status' | 'reason_code' | 'reason' | 'job_id'>;

export interface ActiveJob {
  job_id: string;
  run_id: string;
  project: string;
  state: 'pending' | 'running' | 'finished';
}

export function createSchedulesRepo(db: Db) {
  return {
    all: (): Promise<ScheduleRow[]> =>
      db.selectFrom('schedules').selectAll().orderBy('created_at').orderBy('id').execute(),

    get: (id: string): Promise<ScheduleRow | undefined> =>
      db.selectFrom('schedules').selectAll().where('id', '=', id).executeTakeFirst(),

    async count(): Promise<number> {
      const r = await db
        .selectFrom('schedules')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      return Number(r.n);
    },

    async nameTaken(name: string, exceptId: string | null): Promise<boolean> {
      let q = db.selectFrom('schedules').select('id').where('name', '=', name);
      if (exceptId !== null) q = q.where('id', '!=', exceptId);
      return (await q.executeTakeFirst()) !== undefined;
    },

    async insert(row: Insertable<SchedulesTable>): Promise<void> {
      await db.insertInto('schedules').values(row).execute();
    },

    async update(id: string, patch: Updateable<SchedulesTable>): Promise<boolean> {
      const r = await db.updateTable('schedules').set(patch).where('id', '=', id).executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },

    /** Deletes a schedule and its history (its jobs stay, naming a schedule that is gone). */
    delete: (id: string): Promise<boolean> =>
      db.transaction().execute(async (trx) => {
        await trx.deleteFrom('schedule_fires').where('schedule_id', '=', id).execute();
        const r = await trx.deleteFrom('schedules').where('id', '=', id).executeTakeFirst();
        return Number(r.numDeletedRows) > 0;
      }),

    /** Records that fires up to `at` are handled; never moves back. */
    async advanceCursor(id: string, at: number): Promise<void> {
      await db
        .updateTable('schedules')
        .set({ cursor_at: at })
        .where('id', '=', id)
        .where('cursor_at', '<', at)
        .execute();
    },

    /** The one conditional insert that owns a fire: true if this call inserted it, false if it was taken. */
    async claim(fire: FireRow): Promise<boolean> {
      const r = await db
        .insertInto('schedule_fires')
        .values(fire)
        .onConflict((oc) => oc.columns(['schedule_id', 'scheduled_at']).doNothing())
        .executeTakeFirst();
      return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
    },

    async settle(scheduleId: string, scheduledAt: number, s: FireSettle): Promise<void> {
      await db
        .updateTable('schedule_fires')
        .set(s)
        .where('schedule_id', '=', scheduleId)
        .where('scheduled_at', '=', scheduledAt)
        .execute();
    },

    /** History, newest first; `before` pages on the scheduled time. */
    fires(scheduleId: string, limit: number, before?: number): Promise<FireRow[]> {
      let q = db.selectFrom('schedule_fires').selectAll().where('schedule_id', '=', scheduleId);
      if (before !== undefined) q = q.where('scheduled_at', '<', before);
      return q.orderBy('scheduled_at', 'desc').limit(limit).execute();
    },

    /** Scheduled times already in the ledger within [from, to]. */
    async firedIn(scheduleId: string, from: number, to: number): Promise<Set<number>> {
      const rows = await db
        .selectFrom('schedule_fires')
        .select('scheduled_at')
        .where('schedule_id', '=', scheduleId)
        .where('scheduled_at', '>=', from)
        .where('scheduled_at', '<=', to)
        .execute();
      return new Set(rows.map((r) => Number(r.scheduled_at)));
    },

    /** The newest fire of each schedule. */
    async lastFires(): Promise<Map<string, FireRow>> {
      const rows = await db
        .selectFrom('schedule_fires as f')
        .innerJoin(
          (eb) =>
            eb
              .selectFrom('schedule_fires')
              .select((s) => ['schedule_id', s.fn.max('scheduled_at').as('last')])
              .groupBy('schedule_id')
              .as('l'),
          (join) => join.onRef('l.schedule_id', '=', 'f.schedule_id').onRef('l.last', '=', 'f.scheduled_at'),
        )
        .selectAll('f')
        .execute();
      return new Map(rows.map((r) => [r.schedule_id, r]));
    },

    /** Fires in a given state (start-up recovery of `claimed` ones, the `waiting` queue), oldest first. */
    inStatus(status: 'claimed' | 'waiting', scheduleId?: string): Promise<FireRow[]> {
      let q = db.selectFrom('schedule_fires').selectAll().where('status', '=', status);
      if (scheduleId !== undefined) q = q.where('schedule_id', '=', scheduleId);
      return q.orderBy('scheduled_at').execute();
    },

    /** Keeps the `keep` newest fires of a schedule. */
    async prune(scheduleId: string, keep: number): Promise<void> {
      const cutoff = await db
        .selectFrom('schedule_fires')
        .select('scheduled_at')
        .where('schedule_id', '=', scheduleId)
        .orderBy('scheduled_at', 'desc')
        .offset(keep)
        .limit(1)
        .executeTakeFirst();
      if (!cutoff) return;
      await db
        .deleteFrom('schedule_fires')
        .where('schedule_id', '=', scheduleId)
        .where('scheduled_at', '<=', cutoff.scheduled_at)
        .where('status', 'not in', ['claimed', 'waiting'])
        .execute();
    },

    /** The schedule's jobs that are pending or running (what overlap policies look at). */
    activeJobs: (scheduleId: string): Promise<ActiveJob[]> =>
      db
        .selectFrom('jobs')
        .select(['job_id', 'run_id', 'project', 'state'])
        .where('schedule_id', '=', scheduleId)
        .where('state', 'in', ['pending', 'running'])
        .orderBy('seq')
        .execute(),

    /** Whether the schedule made a job with this id (recovering a fire claimed just before a crash). */
    async madeJob(scheduleId: string, jobId: string): Promise<boolean> {
      const r = await db
        .selectFrom('jobs')
        .select('seq')
        .where('schedule_id', '=', scheduleId)
        .where('job_id', '=', jobId)
        .executeTakeFirst();
      return r !== undefined;
    },
  };
}
export type SchedulesRepo = ReturnType<typeof createSchedulesRepo>;
