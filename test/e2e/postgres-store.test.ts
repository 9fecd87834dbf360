/**
 * The master on PostgreSQL: one flag (`--database-url`) or SCRAPYARD_DATABASE_URL; nothing of the state goes to
 * the data dir's SQLite file; the password never reaches the logs; an unreachable server and an outdated schema
 * (with `auto_migrate = off`) refuse the start with a code; `scrapyard-master migrate` applies the schema.
 * (Lifecycle, kill -9, group commit, retention and placement run on both stores in their own files.)
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { cliCommand } from '../helpers/agents.js';
import { ScrapydClient } from '../helpers/clients.js';
import { deploy, schedule, waitFinished } from '../helpers/jobs.js';
import { pgQuery, testDatabaseUrl } from '../helpers/postgres.js';
import { HERMETIC_ENV, startMaster, tempDir } from '../helpers/processes.js';
import { masterStore, testEachStore } from '../helpers/stores.js';
import { waitFor } from '../helpers/wait.js';
import { migrationProvider } from '../../packages/master/src/db/migrations/index.js';

/** Every migration this master ships, in order, as `migrate` names them. */
const MIGRATIONS = Object.keys(await migrationProvider.getMigrations()).sort();
const escaped = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function runMaster(args: string[], env: Record<string, string> = {}) {
  const [file, argv] = cliCommand('master', args);
  const r = spawnSync(file, argv, {
    encoding: 'utf8',
    // A refusal or a migration is quick; a master that starts instead is stopped and fails the status check.
    timeout: 30_000,
    env: { ...process.env, ...HERMETIC_ENV, ...env },
  });
  return { status: r.status, stderr: r.stderr, stdout: r.stdout };
}

const tables = async (url: string) =>
  (
    await pgQuery<{ table_name: string }>(
      url,
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name",
    )
  ).map((r) => r.table_name);

void test('--database-url keeps the state in PostgreSQL; its password is never logged', async (t) => {
  const dataDir = tempDir(t);
  const database = await testDatabaseUrl(t);
  const password = decodeURIComponent(new URL(database).password);
  assert.ok(password.length >= 16, 'the test server has a real password');
  const master = await startMaster(t, { dataDir, args: ['--database-url', database] });
  const api = new ScrapydClient(master.url);
  await deploy(api);
  const job = await schedule(api, { project: 'demo', spider: 'quick', jobid: 'on-pg' });
  assert.equal((await waitFinished(api, job)).outcome, 'succeeded');
  const rows = await pgQuery(database, "SELECT job_id, state, outcome FROM jobs WHERE job_id = 'on-pg'");
  assert.deepEqual(rows, [{ job_id: 'on-pg', state: 'finished', outcome: 'succeeded' }]);
  assert.deepEqual(await pgQuery(database, 'SELECT name FROM projects'), [{ name: 'demo' }]);
  assert.equal(existsSync(join(dataDir, 'master.sqlite')), false, 'no SQLite file beside it');
  assert.match(master.output(), /"store":"postgres","database":"postgres:\/\/scrapyard:\*\*\*@127\.0\.0\.1:/);
  await master.stop();
  assert.ok(!master.output().includes(password), 'the password is not in the logs');
});

void test('an unreachable server or a bad URL refuses the start, with a code and no password', (t) => {
  const dataDir = join(tempDir(t), 'data');
  const down = runMaster(['--port', '0', '--data-dir', dataDir], {
    SCRAPYARD_DATABASE_URL: 'postgres://scrapyard:hunter2-secret@127.0.0.1:1/nowhere',
  });
  assert.equal(down.status, 1, down.stderr);
  assert.match(
    down.stderr,
    /failed to start: DATABASE_UNAVAILABLE: cannot reach the database at postgres:\/\/scrapyard:\*\*\*@127\.0\.0\.1:1\/nowhere: connect ECONNREFUSED/,
  );
  assert.ok(!`${down.stderr}${down.stdout}`.includes('hunter2-secret'), 'the password is not printed');
  const bad = runMaster(['--port', '0', '--data-dir', dataDir, '--database-url', 'mysql://u:p@127.0.0.1/x']);
  assert.equal(bad.status, 2, bad.stderr);
  assert.match(bad.stderr, /--database-url: expected empty \(SQLite in the data dir\) or a postgres:\/\//);
});

void test('auto_migrate = off refuses an outdated schema; `migrate` applies it, once', async (t) => {
  const dataDir = tempDir(t);
  const database = await testDatabaseUrl(t);
  const env = { SCRAPYARD_DATABASE_URL: database, SCRAPYARD_AUTO_MIGRATE: 'off' };
  const refused = runMaster(['--port', '0', '--data-dir', dataDir], env);
  assert.equal(refused.status, 1, refused.stderr);
  assert.match(
    refused.stderr,
    new RegExp(
      `DATABASE_SCHEMA_OUTDATED: the database schema is behind this master \\(pending: ${escaped(MIGRATIONS.join(', '))}\\); run \`scrapyard-master migrate\``,
    ),
  );
  assert.deepEqual(await tables(database), [], 'nothing was created');

  const first = runMaster(['migrate', '--data-dir', dataDir], { SCRAPYARD_DATABASE_URL: database });
  assert.equal(first.status, 0, first.stderr);
  assert.match(
    first.stdout,
    new RegExp(`^postgres://scrapyard:\\*\\*\\*@[^ ]+: applied ${escaped(MIGRATIONS.join(', '))}\n$`),
  );
  assert.ok((await tables(database)).includes('jobs'));
  const again = runMaster(['migrate', '--database-url', database, '--data-dir', dataDir]);
  assert.equal(again.status, 0, again.stderr);
  assert.match(
    again.stdout,
    new RegExp(`schema is current \\(${MIGRATIONS.length} migrations applied, none pending\\)`),
  );

  const master = await startMaster(t, { dataDir, env });
  await deploy(new ScrapydClient(master.url));
});

void test('`migrate` on SQLite creates the data dir database; the master then starts without DDL', async (t) => {
  const dataDir = join(tempDir(t), 'data');
  const r = runMaster(['migrate', '--data-dir', dataDir]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, `${join(dataDir, 'master.sqlite')}: applied ${MIGRATIONS.join(', ')}\n`);
  const master = await startMaster(t, { dataDir, env: { SCRAPYARD_AUTO_MIGRATE: 'off' } });
  assert.equal((await new ScrapydClient(master.url).get('daemonstatus.json')).status, 'ok');
});

testEachStore(
  'a NUL in a name or an argument gets the same clear refusal on both stores (D9)',
  {},
  async (t, store) => {
    const master = await startMaster(t, await masterStore(t, store));
    const api = new ScrapydClient(master.url);
    await deploy(api);
    const refusals: [string, Promise<Record<string, unknown>>][] = [
      ['status', api.get('status.json', { job: 'a\u0000b' })],
      ['listjobs', api.get('listjobs.json', { project: 'de\u0000mo' })],
      ['listspiders', api.get('listspiders.json', { project: 'demo', _version: '1\u0000' })],
      ['cancel', api.post('cancel.json', { project: 'demo', job: 'x\u0000' })],
      ['schedule', api.post('schedule.json', { project: 'demo', spider: 'quick', jobid: 'j\u0000' })],
    ];
    for (const [what, answer] of refusals) {
      const r = await answer;
      assert.equal(r.status, 'error', what);
      assert.ok(String(r.message).startsWith('DirectoryTraversalError: '), `${what}: ${String(r.message)}`);
      assert.ok(String(r.message).includes('\u0000'), `${what}: the name is named`);
    }
    const arg = await api.post('schedule.json', { project: 'demo', spider: 'quick', arg: 'x\u0000' });
    assert.equal(arg.message, 'spider arguments are invalid: a NUL character cannot be passed to a crawl');
    const setting = await api.post('schedule.json', { project: 'demo', spider: 'quick', setting: 'A=\u0000' });
    assert.equal(setting.message, 'settings are invalid: a NUL character cannot be passed to a crawl');
    assert.equal((await api.get('daemonstatus.json')).pending, 0, 'nothing was scheduled');
    assert.ok(!master.output().includes('"level":50'), 'no request reached the database and failed there');
  },
);

void test('connections the server drops (restart, failover) are replaced; the master carries on', async (t) => {
  const dataDir = tempDir(t);
  const database = await testDatabaseUrl(t);
  const master = await startMaster(t, { dataDir, database, args: ['--no-local-agent'] });
  const api = new ScrapydClient(master.url);
  const name = decodeURIComponent(new URL(database).pathname.slice(1));
  const dropConnections = async () =>
    (
      await pgQuery<{ ok: boolean }>(
        database,
        'SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
        [name],
      )
    ).length;
  assert.equal((await api.get('listprojects.json')).status, 'ok');
  const dropped = await dropConnections();
  assert.ok(dropped >= 1, "the master's connections were there to drop");
  // The pool hears of each dropped idle connection and discards it; the next requests get new ones.
  await waitFor(
    () => master.output().split('a database connection failed; the pool replaces it').length - 1 >= dropped,
    { what: 'the master to notice each of its connections was dropped' },
  );
  // A connection the server dropped while a background query held it (the users' recount, the audit writer) is
  // noticed when that query fails: the first request after may still meet it. Then every request succeeds.
  await waitFor(async () => (await api.get('listprojects.json')).status === 'ok', { what: 'a request to succeed' });
  for (let i = 0; i < 5; i++) assert.equal((await api.get('listprojects.json')).status, 'ok');
  // Many times over, with requests in flight: some may fail with the database's error, the master never does.
  for (let round = 0; round < 5; round++) {
    const answers = Promise.all(Array.from({ length: 20 }, () => api.get('daemonstatus.json')));
    await dropConnections();
    for (const a of await answers) assert.ok(a.status === 'ok' || a.status === 'error', JSON.stringify(a));
  }
  await waitFor(async () => (await api.get('listprojects.json')).status === 'ok', {
    what: 'requests to succeed again',
  });
  assert.equal(master.proc.exitCode, null, 'still running');
  assert.equal(await master.stop(), 0, 'and stops cleanly');
});
