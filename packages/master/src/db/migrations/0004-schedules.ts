import type { Kysely } from 'kysely';

/**
 * Schedules and their fire ledger. A fire is one row keyed by (schedule, scheduled time), claimed with one
 * conditional insert, so it happens exactly once across restarts (and, later, across masters sharing the store).
 * `cursor_at` is how far the schedule's fires have been handled, so fires that fell while the master was down are
 * found at start-up. Jobs remember the schedule that made them (overlap policies look for its active jobs).
 * Shipped: never change what it creates.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('schedules')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.unique())
    .addColumn('project', 'text', (c) => c.notNull())
    .addColumn('spider', 'text', (c) => c.notNull())
    .addColumn('cron', 'text')
    .addColumn('interval_seconds', 'integer')
    .addColumn('timezone', 'text', (c) => c.notNull())
    .addColumn('version', 'text')
    .addColumn('args', 'text', (c) => c.notNull())
    .addColumn('settings', 'text', (c) => c.notNull())
    .addColumn('tags', 'text')
    .addColumn('priority', 'double precision', (c) => c.notNull())
    .addColumn('jitter_seconds', 'integer', (c) => c.notNull())
    .addColumn('start_at', 'bigint')
    .addColumn('end_at', 'bigint')
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('overlap', 'text', (c) => c.notNull())
    .addColumn('misfire', 'text', (c) => c.notNull())
    .addColumn('misfire_grace_seconds', 'integer', (c) => c.notNull())
    .addColumn('backfill_window_seconds', 'integer', (c) => c.notNull())
    .addColumn('backfill_max', 'integer', (c) => c.notNull())
    .addColumn('policy', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('cursor_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('schedule_fires')
    .addColumn('schedule_id', 'text', (c) => c.notNull())
    .addColumn('scheduled_at', 'bigint', (c) => c.notNull())
    .addColumn('fired_at', 'bigint', (c) => c.notNull())
    .addColumn('trigger', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('reason_code', 'text')
    .addColumn('reason', 'text')
    .addColumn('job_id', 'text')
    .addPrimaryKeyConstraint('schedule_fires_pk', ['schedule_id', 'scheduled_at'])
    .execute();
  await db.schema.createIndex('schedule_fires_status').on('schedule_fires').columns(['status']).execute();
  await db.schema.alterTable('jobs').addColumn('schedule_id', 'text').execute();
  await db.schema.createIndex('jobs_schedule').on('jobs').columns(['schedule_id', 'state']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('jobs_schedule').execute();
  await db.schema.alterTable('jobs').dropColumn('schedule_id').execute();
  await db.schema.dropTable('schedule_fires').execute();
  await db.schema.dropTable('schedules').execute();
}
