/**
 * The throwaway PostgreSQL of tests, bench and CI (scripts/pg-server.mjs), and test/helpers/postgres.ts on the
 * server scripts/test.mjs started for this run.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { Client } from 'pg';
import { startPostgres } from '../../scripts/pg-server.mjs';
import { pgQuery, testDatabaseUrl } from '../helpers/postgres.js';

const isRoot = process.getuid?.() === 0;

/** The uid the server must run as: postgres (which refuses root) when we are root, else ours. */
function expectedUid(): number {
  if (!isRoot) return process.getuid!();
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'));
  assert.ok(line, 'no postgres user in /etc/passwd');
  return Number(line.split(':')[2]);
}

/** Pids whose command line mentions `text` (the postmaster keeps its argv, with -D <dataDir>). */
function pidsMentioning(text: string): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(text);
      } catch {
        return false; // gone meanwhile
      }
    })
    .map(Number);
}

function uidOf(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('Uid:'));
  return Number(line?.split(/\s+/)[1]);
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

void test('startPostgres runs a private server, makes and drops databases, and stop() leaves nothing behind', async (t) => {
  const server = await startPostgres();
  t.after(() => server.stop()); // if an assertion fails midway; stop() is idempotent

  // Owned by and running as the right user, 127.0.0.1 only, test settings.
  const uid = expectedUid();
  assert.equal(statSync(server.dataDir).uid, uid);
  assert.equal(statSync(server.dataDir).mode & 0o777, 0o700);
  const [postmaster, ...others] = pidsMentioning(server.dataDir);
  assert.ok(postmaster !== undefined && others.length === 0, `one postmaster for ${server.dataDir}`);
  assert.equal(uidOf(postmaster), uid);
  assert.equal(server.host, '127.0.0.1');
  assert.equal(new URL(server.url).port, String(server.port));
  assert.deepEqual(
    await pgQuery(
      server.url,
      `SELECT current_user AS "user", current_setting('listen_addresses') AS listen,
              current_setting('fsync') AS fsync, current_setting('synchronous_commit') AS sync,
              pg_encoding_to_char(encoding) AS encoding
         FROM pg_database WHERE datname = current_database()`,
    ),
    [{ user: 'scrapyard', listen: '127.0.0.1', fsync: 'off', sync: 'off', encoding: 'UTF8' }],
  );
  // Password authentication is on: the URL's password is what lets us in.
  const wrong = new URL(server.url);
  wrong.password = 'wrong';
  await assert.rejects(pgQuery(wrong.href, 'SELECT 1'), /password authentication failed/);

  // A database of its own, reached through its URL alone.
  const dbUrl = await server.createDatabase();
  const name = new URL(dbUrl).pathname.slice(1);
  assert.match(name, /^t_[0-9a-f]{16}$/);
  assert.deepEqual(await pgQuery(dbUrl, 'SELECT 1 AS one, current_database() AS db'), [{ one: 1, db: name }]);
  assert.equal(await server.createDatabase('named'), server.url.replace(/\/postgres$/, '/named'));

  // Dropping disconnects a session still open on it.
  const holder = new Client({ connectionString: dbUrl });
  holder.on('error', () => {});
  await holder.connect();
  await server.dropDatabase(name);
  await assert.rejects(holder.query('SELECT 1'));
  const left = await pgQuery(
    server.url,
    `SELECT datname FROM pg_database WHERE datname LIKE 't\\_%' OR datname = 'named'`,
  );
  assert.deepEqual(left, [{ datname: 'named' }]);

  await server.stop();
  assert.equal(await accepts(server.port), false, 'port still accepting connections');
  assert.equal(existsSync(server.dataDir), false);
  assert.equal(existsSync(dirname(server.dataDir)), false);
  assert.deepEqual(pidsMentioning(server.dataDir), []);
  await server.stop(); // again: a no-op
});

void test('startPostgres({ durable: true }) keeps crash safety on, and log gets the server log', async (t) => {
  const lines: string[] = [];
  const server = await startPostgres({ durable: true, log: (line) => lines.push(line) });
  t.after(() => server.stop());
  assert.deepEqual(
    await pgQuery(
      server.url,
      `SELECT current_setting('fsync') AS fsync, current_setting('synchronous_commit') AS sync,
              current_setting('full_page_writes') AS fpw`,
    ),
    [{ fsync: 'on', sync: 'on', fpw: 'on' }],
  );
  assert.ok(
    lines.some((l) => l.includes('database system is ready to accept connections')),
    lines.join('\n'),
  );
  await server.stop();
  assert.equal(existsSync(dirname(server.dataDir)), false);
});

void test('startPostgres without PostgreSQL binaries says how to get them', async (t) => {
  const saved = process.env.PG_BIN;
  t.after(() => {
    if (saved === undefined) delete process.env.PG_BIN;
    else process.env.PG_BIN = saved;
  });
  process.env.PG_BIN = join(import.meta.dirname, 'no-such-dir');
  await assert.rejects(startPostgres(), /^Error: PostgreSQL not found: .*apt-get install postgresql, or set PG_BIN/);
});

void test("testDatabaseUrl gives a test its own database on the runner's server and drops it after", async (t) => {
  let url = '';
  await t.test('a test using a database', async (st) => {
    url = await testDatabaseUrl(st);
    await pgQuery(url, 'CREATE TABLE jobs (id text PRIMARY KEY)');
    await pgQuery(url, 'INSERT INTO jobs VALUES ($1), ($2)', ['a', 'b']);
    assert.deepEqual(await pgQuery(url, 'SELECT id FROM jobs ORDER BY id'), [{ id: 'a' }, { id: 'b' }]);
  });
  assert.ok(url, 'the subtest failed before it had a database');
  const name = new URL(url).pathname.slice(1);
  assert.match(name, /^t_[0-9a-f]{16}$/);
  const server = process.env.SCRAPYARD_TEST_PG_URL!;
  assert.deepEqual(await pgQuery(server, 'SELECT datname FROM pg_database WHERE datname = $1', [name]), []);
});

void test('without a server, testDatabaseUrl fails with the reason instead of skipping', async (t) => {
  const saved = { url: process.env.SCRAPYARD_TEST_PG_URL, error: process.env.SCRAPYARD_TEST_PG_ERROR };
  t.after(() => {
    for (const [key, value] of [
      ['SCRAPYARD_TEST_PG_URL', saved.url],
      ['SCRAPYARD_TEST_PG_ERROR', saved.error],
    ] as const) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });
  delete process.env.SCRAPYARD_TEST_PG_URL;
  process.env.SCRAPYARD_TEST_PG_ERROR = 'could not start a PostgreSQL server: boom';
  await assert.rejects(testDatabaseUrl(t), {
    message: 'PostgreSQL is not available for this test: could not start a PostgreSQL server: boom',
  });
  delete process.env.SCRAPYARD_TEST_PG_ERROR;
  await assert.rejects(
    testDatabaseUrl(t),
    /^Error: PostgreSQL is not available for this test: SCRAPYARD_TEST_PG_URL is not set/,
  );
});
