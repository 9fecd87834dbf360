import type { Kysely } from 'kysely';
import { serialKey } from '../dialect.js';

/**
 * Projects, versions (eggs by digest) and jobs. Shipped: never change what it creates; add a new migration
 * instead. (Spelling a type so that PostgreSQL gets the same thing SQLite always had is not a change.)
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const [serialType, serial] = serialKey(db);
  await db.schema
    .createTable('projects')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('versions')
    .addColumn('project', 'text', (c) => c.notNull().references('projects.name').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('digest', 'text', (c) => c.notNull())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('requirements', 'text', (c) => c.notNull())
    .addColumn('spiders', 'text')
    .addColumn('uploaded_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('versions_pk', ['project', 'name'])
    .execute();
  await db.schema.createIndex('versions_digest').on('versions').column('digest').execute();
  await db.schema
    .createTable('jobs')
    .addColumn('seq', serialType, serial)
    .addColumn('run_id', 'text', (c) => c.notNull().unique())
    .addColumn('job_id', 'text', (c) => c.notNull())
    .addColumn('project', 'text', (c) => c.notNull())
    .addColumn('spider', 'text', (c) => c.notNull())
    .addColumn('version_requested', 'text')
    .addColumn('version', 'text')
    .addColumn('settings', 'text', (c) => c.notNull())
    .addColumn('args', 'text', (c) => c.notNull())
    .addColumn('priority', 'double precision', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('node_id', 'text')
    .addColumn('pid', 'integer')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('started_at', 'bigint')
    .addColumn('ended_at', 'bigint')
    .addColumn('exit_code', 'integer')
    .addColumn('signal', 'text')
    .addColumn('outcome', 'text')
    .addColumn('reason', 'text')
    .addColumn('cancel_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('cancel_signal', 'text')
    .execute();
  await db.schema.createIndex('jobs_queue').on('jobs').columns(['state', 'priority', 'seq']).execute();
  await db.schema.createIndex('jobs_job_id').on('jobs').column('job_id').execute();
  await db.schema.createIndex('jobs_finished').on('jobs').columns(['state', 'ended_at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('jobs').execute();
  await db.schema.dropTable('versions').execute();
  await db.schema.dropTable('projects').execute();
}
