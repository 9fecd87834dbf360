import { sql, type Kysely } from 'kysely';

/**
 * Durable consumers of domain events (events/durable-consumer.ts) keep their mark here, one row per consumer: every
 * event before `position` has been handled. The marks webhooks and alerts kept in `delivery_marks` move over
 * (`jobs` feeds both the webhooks and their items, which became two consumers), so an upgrade catches up from where
 * they were. Shipped: never change what it creates.
 */
const MOVED: [from: string, to: string][] = [
  ['jobs', 'webhooks'],
  ['jobs', 'webhook-items'],
  ['alerts.jobs', 'alerts'],
];

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('consumer_marks')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('position', 'bigint', (c) => c.notNull())
    .execute();
  for (const [from, to] of MOVED) {
    await sql`INSERT INTO consumer_marks (name, position) SELECT ${to}, at FROM delivery_marks WHERE name = ${from}`.execute(
      db,
    );
  }
  await sql`DELETE FROM delivery_marks WHERE name IN ('jobs', 'alerts.jobs')`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const [from, to] of MOVED) {
    await sql`INSERT INTO delivery_marks (name, at) SELECT ${from}, position FROM consumer_marks WHERE name = ${to}
      AND NOT EXISTS (SELECT 1 FROM delivery_marks WHERE name = ${from})`.execute(db);
  }
  await db.schema.dropTable('consumer_marks').execute();
}
