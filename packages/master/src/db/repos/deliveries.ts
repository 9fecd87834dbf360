/**
 * The durable outbox (`deliveries`) and its marks; its targets, webhooks and channels, are delivery-targets.ts.
 * `enqueue` is idempotent per (target, dedup key), so a fact replayed after a crash is delivered once; `claim` takes
 * a due row with a lease (a conditional update), so a master killed mid-attempt retries it after the lease, and a
 * second master would not send it twice.
 * Portable SQL only (SQLite and PostgreSQL).
 */
import { sql, type Insertable, type Selectable, type Updateable } from 'kysely';
import type { Db } from '../database.js';
import type { DeliveriesTable } from '../schema-deliveries.js';
import { createChannelsRepo, createWebhooksRepo, replayFloorMark } from './delivery-targets.js';

export type DeliveryRow = Selectable<DeliveriesTable>;
export type NewDelivery = Omit<Insertable<DeliveriesTable>, 'state' | 'attempts'>;

export function createDeliveriesRepo(db: Db) {
  /** Moves a mark forward to `at` (never back). */
  const raiseMark = async (name: string, at: number): Promise<void> => {
    await db
      .insertInto('delivery_marks')
      .values({ name, at })
      .onConflict((oc) =>
        oc.column('name').doUpdateSet({
          at: sql<number>`CASE WHEN excluded.at > delivery_marks.at THEN excluded.at ELSE delivery_marks.at END`,
        }),
      )
      .execute();
  };

  return {
    webhooks: createWebhooksRepo(db),

    channels: createChannelsRepo(db),

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

    /** Pending rows due by `now`, oldest first, except those of the targets held (disabled webhooks). */
    due: (now: number, limit: number, held: readonly string[] = []): Promise<DeliveryRow[]> => {
      let q = db.selectFrom('deliveries').selectAll().where('state', '=', 'pending').where('next_at', '<=', now);
      if (held.length > 0) q = q.where('target_id', 'not in', [...held]);
      return q.orderBy('next_at').orderBy('created_at').limit(limit).execute();
    },

    /** When the next pending row (of a target not held) is due, or null when none is pending. */
    async nextDueAt(held: readonly string[] = []): Promise<number | null> {
      let q = db
        .selectFrom('deliveries')
        .select((eb) => eb.fn.min<number>('next_at').as('at'))
        .where('state', '=', 'pending');
      if (held.length > 0) q = q.where('target_id', 'not in', [...held]);
      const r = await q.executeTakeFirst();
      return r?.at == null ? null : Number(r.at);
    },

    /**
     * Takes a due row for one attempt: true if this caller won it (its next_at moved to the lease's end). The
     * attempt is counted and its start recorded as the last attempt (the settle records its end) in this same
     * write, before the request goes out: an attempt cut short by a crash, whose request may have reached the
     * receiver, still counts, and a restart knows when each target was last sent to.
     */
    async claim(id: string, seenNextAt: number, leaseUntil: number, now: number): Promise<boolean> {
      const r = await db
        .updateTable('deliveries')
        .set((eb) => ({ next_at: leaseUntil, last_attempt_at: now, attempts: eb('attempts', '+', 1) }))
        .where('id', '=', id)
        .where('state', '=', 'pending')
        .where('next_at', '=', seenNextAt)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },

    /** The latest attempt (started or ended) per target: where each receiver's rate limit stands after a restart. */
    async lastAttempts(): Promise<Map<string, number>> {
      const rows = await db
        .selectFrom('deliveries')
        .select((eb) => ['target_id', eb.fn.max<number>('last_attempt_at').as('at')])
        .where('last_attempt_at', 'is not', null)
        .groupBy('target_id')
        .execute();
      return new Map(rows.filter((r) => r.at != null).map((r) => [r.target_id, Number(r.at)]));
    },

    /**
     * Makes a target's held deliveries (never attempted, keyed `keys`) due one after the other from `at`, in the
     * order of `keys`: a job's finish, held until its last items batch is enqueued, goes right after it.
     */
    async release(targetId: string, keys: readonly string[], at: number): Promise<void> {
      for (const [i, key] of keys.entries()) {
        await db
          .updateTable('deliveries')
          .set({ next_at: at + i })
          .where('target_id', '=', targetId)
          .where('dedup_key', '=', key)
          .where('state', '=', 'pending')
          .where('last_attempt_at', 'is', null)
          .where('next_at', '>', at + i)
          .execute();
      }
    },

    /** Whether a target has a delivery under any of `keys` (whatever its state). */
    async hasAny(targetId: string, keys: readonly string[]): Promise<boolean> {
      const r = await db
        .selectFrom('deliveries')
        .select('id')
        .where('target_id', '=', targetId)
        .where('dedup_key', 'in', [...keys])
        .limit(1)
        .executeTakeFirst();
      return r !== undefined;
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
      // What was trimmed is no longer there to deduplicate a replay against: a replay stays after it.
      await raiseMark(replayFloorMark(targetId), Number(edge.created_at) + 1);
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

    raiseMark,

    /** Marks whose names start with `prefix` (no `%` or `_` in it), by name. */
    async marksWithPrefix(prefix: string): Promise<Map<string, number>> {
      const rows = await db
        .selectFrom('delivery_marks')
        .select(['name', 'at'])
        .where('name', 'like', `${prefix}%`)
        .execute();
      return new Map(rows.map((r) => [r.name, Number(r.at)]));
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
