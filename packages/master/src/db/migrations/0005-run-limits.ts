import { sql, type Kysely } from 'kysely';

/**
 * Run limits and retries: per project and spider in `policies`; per job (from its schedule or its submit) in `jobs.policy`
 * (JSON), kept with the job so a restart keeps them; and the outcome a run stopped by the master ends with
 * (`timed_out`, `stalled`) beside the existing stop reason. Shipped: never change what it creates.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const column of [
    'max_run_seconds',
    'stall_seconds',
    'kill_grace_seconds',
    'retry_backoff_seconds',
    'retry_backoff_max_seconds',
    'start_rate_count',
    'start_rate_period_seconds',
  ]) {
    await db.schema.alterTable('policies').addColumn(column, 'integer').execute();
  }
  await db.schema.alterTable('policies').addColumn('retry_on', 'text').execute();
  await db.schema.alterTable('policies').addColumn('unique_args', 'text').execute();
  // At most one pending or running job per unique key: the partial index decides between racing submits.
  await db.schema.alterTable('jobs').addColumn('unique_key', 'text').execute();
  await sql`create unique index jobs_unique_active on jobs (unique_key) where state <> 'finished'`.execute(db);
  await db.schema.alterTable('jobs').addColumn('policy', 'text').execute();
  // A retry waits for its backoff: the dispatcher places no pending job before its not_before.
  await db.schema.alterTable('jobs').addColumn('not_before', 'bigint').execute();
  await db.schema.alterTable('jobs').addColumn('stop_outcome', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('jobs_unique_active').execute();
  await db.schema.alterTable('jobs').dropColumn('unique_key').execute();
  await db.schema.alterTable('policies').dropColumn('unique_args').execute();
  await db.schema.alterTable('jobs').dropColumn('not_before').execute();
  await db.schema.alterTable('jobs').dropColumn('stop_outcome').execute();
  await db.schema.alterTable('jobs').dropColumn('policy').execute();
  await db.schema.alterTable('policies').dropColumn('retry_on').execute();
  for (const column of [
    'start_rate_period_seconds',
    'start_rate_count',
    'retry_backoff_max_seconds',
    'retry_backoff_seconds',
    'kill_grace_seconds',
    'stall_seconds',
    'max_run_seconds',
  ]) {
    await db.schema.alterTable('policies').dropColumn(column).execute();
  }
}
