/**
 * PostgreSQL for tests. scripts/test.mjs starts one throwaway server per run (scripts/pg-server.mjs) and passes its
 * superuser URL in SCRAPYARD_TEST_PG_URL; every test gets a database of its own on it. Without a server, a test that
 * needs one fails with the reason (SCRAPYARD_TEST_PG_ERROR): it is never skipped.
 * Unit tests in packages/* import this file by a relative path: it depends on `pg` and node:* only.
 */
import { randomBytes } from 'node:crypto';
import { test, type TestContext, type TestOptions } from 'node:test';
import pg, { type QueryResultRow } from 'pg';

const { Client, types } = pg;

/** The master's stores, for tests that run once per store. */
export const STORES = ['sqlite', 'postgres'] as const;
export type Store = (typeof STORES)[number];

function serverUrl(): string {
  const url = process.env.SCRAPYARD_TEST_PG_URL;
  if (!url) {
    const why =
      process.env.SCRAPYARD_TEST_PG_ERROR ??
      'SCRAPYARD_TEST_PG_URL is not set (run the suite through scripts/test.mjs, which starts a throwaway server, or point it at your own)';
    throw new Error(`PostgreSQL is not available for this test: ${why}`);
  }
  return url;
}

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Creates an empty database; `drop` removes it, sessions and all. */
export async function createTestDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const server = serverUrl();
  const name = `t_${randomBytes(8).toString('hex')}`;
  await pgQuery(server, `CREATE DATABASE ${quoteIdent(name)}`);
  const url = new URL(server);
  url.pathname = `/${encodeURIComponent(name)}`;
  return {
    url: url.href,
    // FORCE: a pool the test left open must not make the drop fail or wait.
    drop: async () => {
      await pgQuery(server, `DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
    },
  };
}

/** Creates an empty database for this test (dropped after it, sessions and all) and returns its URL. */
export async function testDatabaseUrl(t: TestContext): Promise<string> {
  const { url, drop } = await createTestDatabase();
  t.after(drop);
  return url;
}

/**
 * A short-lived connection. bigint (counts, times) comes back as a number, as the master reads it and as SQLite
 * returns it. Failures reach the caller through connect() and query(); an unheard 'error' event would crash the
 * test process.
 */
async function connect(url: string): Promise<pg.Client> {
  const client = new Client({
    connectionString: url,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === 20 ? Number : types.getTypeParser(oid, format as 'text')) as typeof types.getTypeParser,
    },
  });
  client.on('error', () => {});
  await client.connect();
  return client;
}

/** Runs statements in one transaction on a short-lived connection. */
export async function pgTransaction(url: string, statements: [string, unknown[]][]): Promise<void> {
  const client = await connect(url);
  try {
    await client.query('BEGIN');
    for (const [sql, params] of statements) await client.query(sql, params);
    await client.query('COMMIT');
  } finally {
    await client.end();
  }
}

/** Runs one statement on its own short-lived connection and returns the rows. */
export async function pgQuery<R extends QueryResultRow = Record<string, unknown>>(
  url: string,
  sql: string,
  params?: unknown[],
): Promise<R[]> {
  const client = await connect(url);
  try {
    return (await client.query<R>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

/** Declares one test per store, named `<name> [sqlite]` and `<name> [postgres]`. */
export function testEachStore(
  name: string,
  opts: TestOptions,
  fn: (t: TestContext, store: Store) => Promise<void>,
): void {
  for (const store of STORES) void test(`${name} [${store}]`, opts, (t) => fn(t, store));
}
