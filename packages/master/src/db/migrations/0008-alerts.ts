import type { Kysely } from 'kysely';

/**
 * Alert rules and their alerts (pending → firing → resolved). Notices go through the deliveries outbox (0007);
 * how far the engine has read finished jobs is a `delivery_marks` row. Shipped: never change what it creates.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('alert_rules')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('condition', 'text', (c) => c.notNull())
    .addColumn('channels', 'text', (c) => c.notNull())
    .addColumn('for_seconds', 'integer', (c) => c.notNull())
    .addColumn('repeat_seconds', 'integer')
    .addColumn('send_resolved', 'integer', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('muted_until', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('alerts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('rule_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('summary', 'text', (c) => c.notNull())
    .addColumn('detail', 'text', (c) => c.notNull())
    .addColumn('labels', 'text', (c) => c.notNull())
    .addColumn('link', 'text')
    .addColumn('started_at', 'bigint', (c) => c.notNull())
    .addColumn('fired_at', 'bigint')
    .addColumn('resolved_at', 'bigint')
    .addColumn('last_notified_at', 'bigint')
    .addColumn('notices', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('muted_until', 'bigint')
    .execute();
  await db.schema.createIndex('alerts_active').on('alerts').columns(['state', 'rule_id', 'subject']).execute();
  await db.schema.createIndex('alerts_rule').on('alerts').columns(['rule_id', 'started_at']).execute();
  await db.schema.createIndex('alerts_started').on('alerts').columns(['started_at']).execute();
  // The baseline of an items rule: the last runs of one spider.
  await db.schema.createIndex('jobs_spider_finished').on('jobs').columns(['project', 'spider', 'ended_at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('jobs_spider_finished').execute();
  for (const t of ['alerts', 'alert_rules']) await db.schema.dropTable(t).execute();
}
