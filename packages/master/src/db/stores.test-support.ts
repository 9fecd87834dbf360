/**
 * Unit tests of what touches the database run once per store: SQLite in a temporary dir, and a fresh database
 * on the PostgreSQL server the test runner started (scripts/test.mjs). Without that server the PostgreSQL
 * variant fails and says why; it is never skipped.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { STORES, testDatabaseUrl, testEachStore, type Store } from '../../../../test/helpers/postgres.js';
import { openDatabase, type Db } from './database.js';

export { STORES, testEachStore, type Store };

export async function openTestDatabase(t: TestContext, store: Store): Promise<Db> {
  const dir = mkdtempSync(join(tmpdir(), `scrapyard-${store}-`));
  const opened: { db?: Db } = {};
  // node:test runs after-hooks in the order they were added: this one, closing the pool, goes before the one
  // testDatabaseUrl adds to drop the database.
  t.after(async () => {
    await opened.db?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });
  const databaseUrl = store === 'postgres' ? await testDatabaseUrl(t) : '';
  opened.db = await openDatabase({ dataDir: dir, databaseUrl });
  return opened.db;
}
