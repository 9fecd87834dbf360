import type { Kysely } from 'kysely';

/**
 * Live Scrapy stats: one row per run with its latest snapshot (the final one once the crawl ended), the
 * downsampled series of its counters and the exceptions it raised, all as JSON text (read whole, never queried
 * inside). `job_seq` ties the row to its job so trimming finished jobs removes their stats in the same statement
 * shape (`bigint` to match `jobs.seq` on PostgreSQL). Shipped: never change what it creates.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('job_stats')
    .addColumn('run_id', 'text', (c) => c.primaryKey())
    .addColumn('job_seq', 'bigint', (c) => c.notNull())
    .addColumn('node_id', 'text')
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('final', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('finish_reason', 'text')
    .addColumn('summary', 'text', (c) => c.notNull())
    .addColumn('stats', 'text', (c) => c.notNull())
    .addColumn('series', 'text', (c) => c.notNull())
    .addColumn('exceptions', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('job_stats_job').on('job_stats').column('job_seq').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('job_stats').execute();
}
