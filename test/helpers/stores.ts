/**
 * End-to-end scenarios that touch the master's state run once per store. `masterStore` gives the data dir and,
 * for PostgreSQL, a fresh database on the server scripts/test.mjs started; spread it into startMaster's (or
 * startCluster's) options, and reuse it for a restart.
 */
import { test, type TestContext, type TestOptions } from 'node:test';
import { STORES, testDatabaseUrl, type Store } from './postgres.js';
import { tempDir } from './processes.js';

export { STORES, type Store };

export async function masterStore(t: TestContext, store: Store): Promise<{ dataDir: string; database?: string }> {
  // The data dir first: its cleanup stops the masters using it, and cleanups run in the order they were added,
  // so no master is still connected when its database is dropped.
  const dataDir = tempDir(t);
  return { dataDir, database: store === 'postgres' ? await testDatabaseUrl(t) : '' };
}

/** Declares one test per store, named `<name> [sqlite]` and `<name> [postgres]`. */
export function testEachStore(
  name: string,
  opts: TestOptions,
  fn: (t: TestContext, store: Store) => Promise<void>,
): void {
  for (const store of STORES) void test(`${name} [${store}]`, opts, (t) => fn(t, store));
}
