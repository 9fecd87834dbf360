/**
 * Webhooks, channels and the durable outbox (`deliveries`). `enqueue` is idempotent per (target, dedup key), so
 * a fact replayed after a crash is delivered once; `claim` takes a due row with a lease (a conditional update),
 * so a master killed mid-attempt retries it after the lease, and a second master would not send it twice.
 * Portable SQL only (SQLite and PostgreSQL).
 */
import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Db } from '../database.js';
import type { ChannelsTable, DeliveriesTable, WebhooksTable } from '../schema.js';

export type WebhookRow = Selectable<WebhooksTable>;
export type ChannelRow = Selectable<ChannelsTable>;
export type DeliveryRow = Selectable<DeliveriesTable>;
export type NewDelivery = Omit<Insertable<DeliveriesTable>, 'state' | 'attempts'>;

export function createDeliveriesRepo(db: Db) {
  return {
    webhooks: {
      all: (): Promise<WebhookRow[]> =>
        db.selectFrom('webhooks').selectAll().orderBy('created_at').orderBy('id').execute(),
      get: (id: string) => db.selectFrom('webhooks').selectAll().where('id', '=', id).executeTakeFirst(),
      async count(): Promise<number> {
        const r = await db
          .selectFrom('webhooks')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow();
        return Number(r.n);
      },
      insert: async (row: Insertable<WebhooksTable>) => void (await db.insertInto('webhooks').values(row).execute()),
      async update(id: string, patch: Updateable<WebhooksTable>): Promise<boolean> {
        const r = await db.updateTable('webhooks').set(patch).where('id', '=', id).executeTakeFirst();
        return Number(r.numUpdatedRows) > 0;
      },
      /** Deletes the hook and its delivery log (pending deliveries included: nobody to send them to). */
      delete: (id: string): Promise<boolean> =>
        db.transaction().execute(async (trx) => {
          await trx.deleteFrom('deliveries').where('target_id', '=', id).execute();
          const r = await trx.deleteFrom('webhooks').where('id', '=', id).executeTakeFirst();
          return Number(r.numDeletedRows) > 0;
        }),
    },

    channels: {
      all: (): Promise<ChannelRow[]> =>
        db.selectFrom('channels').selectAll().orderBy('created_at').orderBy('id').execute(),
      get: (id: string) => db.selectFrom('channels').selectAll().where('id', '=', id).executeTakeFirst(),
      async ids(ids: readonly string[]): Promise<string[]> {
        if (ids.length === 0) return [];
        const rows = await db
          .selectFrom('channels')
          .select('id')
          .where('id', 'in', [...ids])
          .execute();
        return rows.map((r) => r.id);
      },
      async nameTaken(name: string, exceptId: string | null): Promise<boolean> {
        let q = db.selectFrom('channels').select('id').where('name', '=', name);
        if (exceptId !== null) q = q.where('id', '!=', exceptId);
        return (await q.executeTakeFirst()) !== undefined;
      },
      async count(): Promise<number> {
        const r = await db
          .selectFrom('channels')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow();
        return Number(r.n);
      },
      insert: async (row: Insertable<ChannelsTable>) => void (await db.insertInto('channels').values(row).execute()),
      async update(id: string, patch: Updateable<ChannelsTable>): Promise<boolean> {
        const r = await db.updateTable('channels').set(patch).where('id', '=', id).executeTakeFirst();
        return Number(r.numUpdatedRows) > 0;
      },
      delete: (id: string): Promise<boolean> =>
        db.transaction().execute(async (trx) => {
          await trx.deleteFrom('deliveries').where('target_id', '=', id).execute();
          const r = await trx.deleteFrom('channels').where('id', '=', id).executeTakeFirst();
          return Number(r.numDeletedRows) > 0;
        }),
    },

    /** Inserts the rows that are new (per target and dedup key); returns how many were. */
    async enqueue(rows: readonly NewDelivery[]): Promise<number> {
      if (rows.length === 0) return 0;
      let added = 0;
      // Chunks keep each statement under SQLite's bound-parameter limit.
      for (let i = 0; i < rows.length; i += 500) {
        const r = await db
          .insertInto('deliveries')
          .values(rows.slice(i, i + 500).map((row) => ({ ...row, state: 'pending' as const, attempts: 0 })))
          .onConflict((oc) => oc.columns(['target_id', 'dedup_key']).doNothing())
          .executeTakeFirst();
        added += Number(r.numInsertedOrUpdatedRows ?? 0);
      }
      return added;
    },

    get: (id: string) => db.selectFrom('deliveries').selectAll().where('id', '=', id).executeTakeFirst(),

    /** Pending rows due by `now`, oldest first. */
    due: (now: number, limit: number): Promise<DeliveryRow[]> =>
      db
        .selectFrom('deliveries')
        .selectAll()
        .where('state', '=', 'pending')
        .where('next_at', '<=', now)
        .orderBy('next_at')
        .orderBy('created_at')
        .limit(limit)
        .execute(),

    /** When the next pending row is due, or null when none is pending. */
    async nextDueAt(): Promise<number | null> {
      const r = await db
        .selectFrom('deliveries')
        .select((eb) => eb.fn.min<number>('next_at').as('at'))
        .where('state', '=', 'pending')
        .executeTakeFirst();
      return r?.at == null ? null : Number(r.at);
    },

    /** Takes a due row for one attempt: true if this caller won it (its next_at moved to the lease's end). */
    async claim(id: string, seenNextAt: number, leaseUntil: number): Promise<boolean> {
      const r = await db
        .updateTable('deliveries')
        .set({ next_at: leaseUntil })
        .where('id', '=', id)
        .where('state', '=', 'pending')
        .where('next_at', '=', seenNextAt)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },

    /** Puts a claimed row back without counting an attempt (its receiver's rate limit is exhausted). */
    async postpone(id: string, until: number): Promise<void> {
      await db
        .updateTable('deliveries')
        .set({ next_at: until })
        .where('id', '=', id)
        .where('state', '=', 'pending')
        .execute();
    },

    async settle(
      id: string,
      patch: Pick<
        Updateable<DeliveriesTable>,
        | 'state'
        | 'attempts'
        | 'next_at'
        | 'last_attempt_at'
        | 'delivered_at'
        | 'last_status'
        | 'last_error'
        | 'latency_ms'
      >,
    ): Promise<void> {
      await db.updateTable('deliveries').set(patch).where('id', '=', id).execute();
    },

    /** A target's delivery log, newest first. */
    log: (targetId: string, state: DeliveryRow['state'] | undefined, limit: number): Promise<DeliveryRow[]> => {
      let q = db.selectFrom('deliveries').selectAll().where('target_id', '=', targetId);
      if (state) q = q.where('state', '=', state);
      return q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
    },

    /** Keeps the newest `keep` settled (delivered or dead) rows of a target. */
    async trim(targetId: string, keep: number): Promise<void> {
      const edge = await db
        .selectFrom('deliveries')
        .select('created_at')
        .where('target_id', '=', targetId)
        .where('state', '!=', 'pending')
        .orderBy('created_at', 'desc')
        .offset(keep)
        .limit(1)
        .executeTakeFirst();
      if (!edge) return;
      await db
        .deleteFrom('deliveries')
        .where('target_id', '=', targetId)
        .where('state', '!=', 'pending')
        .where('created_at', '<=', edge.created_at)
        .execute();
    },

    /** What a restart replays into the outbox: runs started or finished, and attempts requeued, since `at`. */
    replay: {
      jobsSince: (at: number, limit: number) =>
        db
          .selectFrom('jobs')
          .select([
            'job_id',
            'run_id',
            'project',
            'spider',
            'state',
            'node_id',
            'attempt',
            'started_at',
            'ended_at',
            'outcome',
            'exit_code',
            'reason',
          ])
          .where((eb) => eb.or([eb('started_at', '>=', at), eb('ended_at', '>=', at)]))
          .orderBy('seq')
          .limit(limit)
          .execute(),
      attemptsSince: (at: number, limit: number) =>
        db
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
          .execute(),
    },

    async deleteMark(name: string): Promise<void> {
      await db.deleteFrom('delivery_marks').where('name', '=', name).execute();
    },

    /** Enqueues rows and moves a mark in one transaction (items cursors: the batches and how far they reach). */
    enqueueWithMark: (rows: readonly NewDelivery[], name: string, at: number): Promise<void> =>
      db.transaction().execute(async (trx) => {
        for (let i = 0; i < rows.length; i += 500) {
          await trx
            .insertInto('deliveries')
            .values(rows.slice(i, i + 500).map((row) => ({ ...row, state: 'pending' as const, attempts: 0 })))
            .onConflict((oc) => oc.columns(['target_id', 'dedup_key']).doNothing())
            .execute();
        }
        await trx
          .insertInto('delivery_marks')
          .values({ name, at })
          .onConflict((oc) => oc.column('name').doUpdateSet({ at }))
          .execute();
      }),

    async mark(name: string): Promise<number | null> {
      const r = await db.selectFrom('delivery_marks').select('at').where('name', '=', name).executeTakeFirst();
      return r ? Number(r.at) : null;
    },

    async setMark(name: string, at: number): Promise<void> {
      await db
        .insertInto('delivery_marks')
        .values({ name, at })
        .onConflict((oc) => oc.column('name').doUpdateSet({ at }))
        .execute();
    },
  };
}
export type DeliveriesRepo = ReturnType<typeof createDeliveriesRepo>;
