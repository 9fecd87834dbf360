/**
 * End-to-end scenarios that touch the master's state run once per store. `masterStore` gives the data dir and,
 * for PostgreSQL, a fresh database on the server scripts/test.mjs started; spread it into startMaster's (or
 * startCluster's) options, and reuse it for a restart.
 */
import type { TestContext } from 'node:test';
import { STORES, testDatabaseUrl, testEachStore, type Store } from './postgres.js';
import { tempDir } from './processes.js';

export { STORES, testEachStore, type Store };

export async function masterStore(t: TestContext, store: Store): Promise<{ dataDir: string; database?: string }> {
  // The data dir first: its cleanup stops the masters using it, and cleanups run in the order they were added,
  // so no master is still connected when its database is dropped.
  const dataDir = tempDir(t);
  return { dataDir, database: store === 'postgres' ? await testDatabaseUrl(t) : '' };
}
