/** The targets of the outbox: webhooks and alert channels (their rows; deliveries.ts holds the outbox). */
import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Db } from '../database.js';
import type { ChannelsTable, WebhooksTable } from '../schema-deliveries.js';

export type WebhookRow = Selectable<WebhooksTable>;
export type ChannelRow = Selectable<ChannelsTable>;

/**
 * The mark before which a restart's replay never reaches for a webhook: raised when the hook is enabled again or
 * its scope changes (what happened before was not for it) and when its log is trimmed (what was sent is no longer
 * there to deduplicate against).
 */
export function replayFloorMark(targetId: string): string {
  return `floor:${targetId}`;
}

export function createWebhooksRepo(db: Db) {
  return {
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
        await trx.deleteFrom('delivery_marks').where('name', '=', replayFloorMark(id)).execute();
        const r = await trx.deleteFrom('webhooks').where('id', '=', id).executeTakeFirst();
        return Number(r.numDeletedRows) > 0;
      }),
  };
}

export function createChannelsRepo(db: Db) {
  return {
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
        await trx.deleteFrom('delivery_marks').where('name', '=', replayFloorMark(id)).execute();
        const r = await trx.deleteFrom('channels').where('id', '=', id).executeTakeFirst();
        return Number(r.numDeletedRows) > 0;
      }),
  };
}
