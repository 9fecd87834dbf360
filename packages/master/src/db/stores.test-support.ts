/**
 * Unit tests of what touches the database run once per store: SQLite in a temporary dir, and a fresh database
 * on the PostgreSQL server the test runner started (scripts/test.mjs). Without that server the PostgreSQL
 * variant fails and says why; it is never skipped.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { STORES, testDatabaseUrl, type Store } from '../../../../test/helpers/postgres.js';
import { openDatabase, type Db } from './database.js';

export { STORES, type Store };

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

/** Declares one test per store, named `<name> [sqlite]` and `<name> [postgres]`. */
export function testEachStore(name: string, fn: (t: TestContext, store: Store) => Promise<void>): void {
  for (const store of STORES) void test(`${name} [${store}]`, (t) => fn(t, store));
}
