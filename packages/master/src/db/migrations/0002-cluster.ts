import type { Kysely } from 'kysely';

/**
 * Cluster: registered nodes, enrollment keys, placement policies, metrics, and job tags/attempts. Shipped: never
 * change what it creates. (Samples are `double precision`, which SQLite stores as it did `real`; PostgreSQL's
 * `real` is 4 bytes and would round them.)
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('nodes')
    .addColumn('node_id', 'text', (c) => c.primaryKey())
    .addColumn('stored_key', 'text', (c) => c.notNull())
    .addColumn('pending_stored_key', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('revoked_at', 'bigint')
    .addColumn('cordoned', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_seen', 'bigint')
    .addColumn('hostname', 'text')
    .addColumn('address', 'text')
    .addColumn('agent_version', 'text')
    .addColumn('tags', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('slots', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('dedicated', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .createTable('enrollments')
    .addColumn('key_id', 'text', (c) => c.primaryKey())
    .addColumn('secret_hash', 'text', (c) => c.notNull())
    .addColumn('node_id', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('used_at', 'bigint')
    .addColumn('used_by', 'text')
    .execute();
  await db.schema
    .createTable('policies')
    .addColumn('project', 'text', (c) => c.notNull())
    .addColumn('spider', 'text', (c) => c.notNull())
    .addColumn('tags', 'text')
    .addColumn('max_running', 'integer')
    .addColumn('retries', 'integer')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('policies_pk', ['project', 'spider'])
    .execute();
  await db.schema
    .createTable('host_metrics')
    .addColumn('node_id', 'text', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('cpu_percent', 'double precision', (c) => c.notNull())
    .addColumn('cpus', 'integer', (c) => c.notNull())
    .addColumn('load1', 'double precision', (c) => c.notNull())
    .addColumn('load5', 'double precision', (c) => c.notNull())
    .addColumn('load15', 'double precision', (c) => c.notNull())
    .addColumn('mem_used', 'bigint', (c) => c.notNull())
    .addColumn('mem_total', 'bigint', (c) => c.notNull())
    .addColumn('disk_used', 'bigint', (c) => c.notNull())
    .addColumn('disk_total', 'bigint', (c) => c.notNull())
    .addColumn('net_rx', 'double precision', (c) => c.notNull())
    .addColumn('net_tx', 'double precision', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('host_metrics_node_at').on('host_metrics').columns(['node_id', 'at']).execute();
  await db.schema.createIndex('host_metrics_at').on('host_metrics').column('at').execute();
  await db.schema
    .createTable('job_metrics')
    .addColumn('run_id', 'text', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('cpu_percent', 'double precision', (c) => c.notNull())
    .addColumn('rss_bytes', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('job_metrics_run_at').on('job_metrics').columns(['run_id', 'at']).execute();
  await db.schema.createIndex('job_metrics_at').on('job_metrics').column('at').execute();
  await db.schema
    .alterTable('jobs')
    .addColumn('tags', 'text', (c) => c.notNull().defaultTo('[]'))
    .execute();
  await db.schema
    .alterTable('jobs')
    .addColumn('attempt', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('jobs').dropColumn('attempt').execute();
  await db.schema.alterTable('jobs').dropColumn('tags').execute();
  for (const t of ['job_metrics', 'host_metrics', 'policies', 'enrollments', 'nodes']) {
    await db.schema.dropTable(t).execute();
  }
}
