import type { Kysely } from 'kysely';

/**
 * Earlier attempts of a job: when a run is lost and its job requeued, the run that ended is kept here (the jobs
 * row always holds the latest run). Why the master stopped a run itself (e.g. its log outgrew the cap), so its
 * outcome can say so; and how many cancels of a run its agent confirmed, so a reconnect re-sends only the others.
 * Shipped: never change what it creates (`job_seq` is `bigint` to match `jobs.seq` on PostgreSQL; SQLite gives
 * both the same integer affinity).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('job_attempts')
    .addColumn('run_id', 'text', (c) => c.primaryKey())
    .addColumn('job_seq', 'bigint', (c) => c.notNull())
    .addColumn('attempt', 'integer', (c) => c.notNull())
    .addColumn('node_id', 'text')
    .addColumn('pid', 'integer')
    .addColumn('started_at', 'bigint')
    .addColumn('ended_at', 'bigint', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .execute();
  await db.schema.createIndex('job_attempts_job').on('job_attempts').columns(['job_seq', 'ended_at']).execute();
  await db.schema.alterTable('jobs').addColumn('stop_reason', 'text').execute();
  await db.schema
    .alterTable('jobs')
    .addColumn('cancel_delivered', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('jobs').dropColumn('cancel_delivered').execute();
  await db.schema.alterTable('jobs').dropColumn('stop_reason').execute();
  await db.schema.dropTable('job_attempts').execute();
}
