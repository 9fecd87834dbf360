import type { Kysely } from 'kysely';

/**
 * The REST job list (and the UI's jobs page) at any size: its pages are newest first (`seq` descending) behind a
 * cursor (`seq < ?`), so each common filter gets an index that ends in `seq`. The page is then a range of one
 * index read backwards and stopped after `limit` rows, whatever the table holds (bench/jobs-list.ts; the plans
 * are in docs/ui-data.md). Several states or visible projects are one range each (db/repos/jobs/list-page.ts).
 * Shipped: never change what it creates.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('jobs_list_project').on('jobs').columns(['project', 'seq']).execute();
  await db.schema.createIndex('jobs_list_spider').on('jobs').columns(['project', 'spider', 'seq']).execute();
  await db.schema.createIndex('jobs_list_state').on('jobs').columns(['state', 'seq']).execute();
  // The dashboard's recent failures (outcome is null until a job finishes).
  await db.schema.createIndex('jobs_list_outcome').on('jobs').columns(['outcome', 'seq']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const i of ['jobs_list_outcome', 'jobs_list_state', 'jobs_list_spider', 'jobs_list_project']) {
    await db.schema.dropIndex(i).execute();
  }
}
