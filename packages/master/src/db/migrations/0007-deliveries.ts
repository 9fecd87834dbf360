import type { Kysely } from 'kysely';

/**
 * Outgoing deliveries: webhooks (per project or spider), notification channels, and the durable outbox both
 * deliver through. A delivery row is written in the same commit as the fact that asks for it (or from the event
 * announcing it, then caught up from `delivery_marks` after a restart), so a master killed mid-retry loses none.
 * Secrets (signing keys, SMTP passwords, bot tokens, Slack URLs) are stored sealed (`secret_box`), never in plain
 * text. Shipped: never change what it creates.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('webhooks')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text')
    .addColumn('project', 'text')
    .addColumn('spider', 'text')
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('secret', 'text', (c) => c.notNull())
    .addColumn('events', 'text', (c) => c.notNull())
    .addColumn('items', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('items_per_batch', 'integer', (c) => c.notNull())
    .addColumn('rate_per_second', 'double precision', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('channels')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('config', 'text', (c) => c.notNull())
    .addColumn('secret', 'text')
    .addColumn('rate_per_second', 'double precision', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('deliveries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('target_id', 'text', (c) => c.notNull())
    .addColumn('dedup_key', 'text', (c) => c.notNull())
    .addColumn('event', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_at', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_attempt_at', 'bigint')
    .addColumn('delivered_at', 'bigint')
    .addColumn('last_status', 'integer')
    .addColumn('last_error', 'text')
    .addColumn('latency_ms', 'integer')
    .execute();
  await db.schema
    .createIndex('deliveries_dedup')
    .on('deliveries')
    .columns(['target_id', 'dedup_key'])
    .unique()
    .execute();
  await db.schema.createIndex('deliveries_due').on('deliveries').columns(['state', 'next_at']).execute();
  await db.schema.createIndex('deliveries_target').on('deliveries').columns(['target_id', 'created_at']).execute();
  await db.schema
    .createTable('delivery_marks')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['delivery_marks', 'deliveries', 'channels', 'webhooks']) await db.schema.dropTable(t).execute();
}
