/** The marks of durable event consumers (events/durable-consumer.ts): how far each has handled the events. */
import type { Db } from '../database.js';

export function createConsumerMarks(db: Db) {
  return {
    async get(name: string): Promise<number | null> {
      const r = await db.selectFrom('consumer_marks').select('position').where('name', '=', name).executeTakeFirst();
      return r ? Number(r.position) : null;
    },
    async set(name: string, position: number): Promise<void> {
      await db
        .insertInto('consumer_marks')
        .values({ name, position })
        .onConflict((oc) => oc.column('name').doUpdateSet({ position }))
        .execute();
    },
  };
}
export type ConsumerMarks = ReturnType<typeof createConsumerMarks>;
