/**
 * Crawl code sees an allowlist of the daemons' environment, never their own variables (safe-env.ts). Under every
 * configuration — standalone on SQLite, standalone on PostgreSQL with the password in the database URL and in
 * PGPASSWORD, the same as crawl_user, and a remote agent — the daemons are started with their secrets and some
 * canaries in their environment, and the envdump spider dumps the environment of its crawl and of `scrapy list` (at
 * deploy): none of the daemons' variables is there (by name or by value), while a variable the user passed through
 * on purpose (`crawl_env_passthrough`) is. The four configurations run at once, one crawl each.
 */
import assert from 'node:assert/strict';
import { chmodSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { startAgent } from '../helpers/agents.js';
import { ScrapydClient } from '../helpers/clients.js';
import { startCluster } from '../helpers/cluster.js';
import { deploy, schedule, waitFinished } from '../helpers/jobs.js';
import { throwawayUser, traversableDir } from '../helpers/os-users.js';
import { testDatabaseUrl } from '../helpers/postgres.js';
import { startMaster, tempDir } from '../helpers/processes.js';

const AUTH = { username: 'envdump-user', password: 'scrapyd-pass-7f3a9c' };
/** Set in every daemon's environment; none may reach crawl code, by name or by value. */
const DAEMON_VARS: Record<string, string> = {
  SCRAPYD_USERNAME: AUTH.username,
  SCRAPYD_PASSWORD: AUTH.password,
  SCRAPYARD_TEMPORARY_NODE_SECRET: 'temporary-secret-5b1e0d7c2a9f4e3b8d6a1c0f',
  DATABASE_URL: 'postgres://app:app-db-pass-41d9@db.example/app',
  PGPASSWORD: 'pgpassword-canary-8c2e',
  MY_SERVICE_TOKEN: 'my-service-token-canary-0a7f',
  CREDENTIALS_DIRECTORY: '/run/credentials/canary-3b5d',
};
/** What the runner itself is given per run (paths of the run's files): the only SCRAPYARD_* a crawl may see. */
const RUNNER_VARS = new Set([
  'SCRAPYARD_EGG_PATH',
  'SCRAPYARD_EXIT_FILE',
  'SCRAPYARD_STATS_FILE',
  'SCRAPYARD_STATS_SOCKET',
]);

interface Daemon {
  api: ScrapydClient;
  /** Every variable of the daemons' environments that crawl code must not see (name → value). */
  secrets: Record<string, string>;
  listDumps: string;
}

/** The user's passthrough (ENVDUMP_*), and where `scrapy list` dumps its environment (writable by a crawl user). */
function userVars(t: TestContext): { env: Record<string, string>; listDumps: string } {
  const listDumps = tempDir(t);
  chmodSync(listDumps, 0o1777);
  return {
    listDumps,
    env: { SCRAPYARD_CRAWL_ENV_PASSTHROUGH: 'ENVDUMP_*', ENVDUMP_LIST_DIR: listDumps, ENVDUMP_MARKER: 'visible' },
  };
}

/** The master's own secrets: its database URL and, for PostgreSQL, its password in PGPASSWORD too. */
async function standalone(t: TestContext, o: { postgres: boolean; crawlUser?: string }): Promise<Daemon> {
  const user = userVars(t);
  const database = o.postgres ? await testDatabaseUrl(t) : '';
  const secrets: Record<string, string> = { ...DAEMON_VARS };
  if (o.postgres) {
    secrets.SCRAPYARD_DATABASE_URL = database;
    secrets.PGPASSWORD = decodeURIComponent(new URL(database).password);
    assert.ok(secrets.PGPASSWORD.length > 8, 'the test database has a password');
  }
  const dataDir = o.crawlUser ? join(traversableDir(t), 'master') : undefined;
  const master = await startMaster(t, {
    ...(dataDir ? { dataDir } : {}),
    database,
    env: {
      ...secrets,
      SCRAPYARD_TEMPORARY_NODES: 'on',
      ...(o.crawlUser ? { SCRAPYARD_CRAWL_USER: o.crawlUser } : {}),
      ...user.env,
    },
  });
  return { api: new ScrapydClient(master.url, AUTH), secrets, listDumps: user.listDumps };
}

async function remoteAgent(t: TestContext): Promise<Daemon> {
  const user = userVars(t);
  const cluster = await startCluster(t, { database: '' });
  const secrets = { ...DAEMON_VARS, SCRAPYARD_NODE_SECRET: 'node-secret-canary-0d4f7e21' };
  await startAgent(t, { master: cluster.master, env: { ...secrets, ...user.env } });
  return { api: cluster.api, secrets, listDumps: user.listDumps };
}

function assertClean(where: string, env: Record<string, string>, secrets: Record<string, string>): void {
  for (const [name, value] of Object.entries(secrets)) {
    assert.equal(env[name], undefined, `${where}: ${name} must not be there`);
    for (const [k, v] of Object.entries(env)) assert.ok(!v.includes(value), `${where}: ${k} holds ${name}'s value`);
  }
  for (const k of Object.keys(env)) {
    if (k.startsWith('SCRAPYARD_')) assert.ok(RUNNER_VARS.has(k), `${where}: the daemon's ${k} must not be there`);
  }
  // The test runner's own PostgreSQL superuser URL is in every daemon's environment too.
  const pg = process.env.SCRAPYARD_TEST_PG_URL;
  if (pg) assert.ok(!JSON.stringify(env).includes(new URL(pg).password), `${where}: the test server's password`);
  assert.equal(env.ENVDUMP_MARKER, 'visible', `${where}: the variable the user passed through on purpose`);
}

async function checkDaemon(d: Daemon): Promise<void> {
  await deploy(d.api);
  const dumps = readdirSync(d.listDumps).filter((f) => f.startsWith('list-'));
  assert.ok(dumps.length > 0, 'scrapy list imported the spider and dumped its environment');
  for (const f of dumps) {
    const env = JSON.parse(readFileSync(join(d.listDumps, f), 'utf8')) as Record<string, string>;
    assertClean(`scrapy list (${f})`, env, d.secrets);
  }
  const jobid = await schedule(d.api, { project: 'demo', spider: 'envdump' });
  const done = await waitFinished(d.api, jobid);
  assert.equal(done.outcome, 'succeeded');
  const r = await d.api.raw('GET', `/items/demo/envdump/${jobid}.jl`);
  assert.equal(r.status, 200, r.text);
  const env = (JSON.parse(r.text.split('\n')[0]!) as { env: Record<string, string> }).env;
  assertClean('the crawl', env, d.secrets);
  assert.equal(env.SCRAPY_PROJECT, 'demo');
  assert.equal(env.SCRAPYD_JOB, jobid);
  assert.match(env.VIRTUAL_ENV ?? '', /venvs/, 'the crawl runs in its venv');
}

void test(
  'no configuration lets crawl code see the daemons’ variables; what the user passes through is there',
  { concurrency: true },
  async (t) => {
    const configs: [string, (t: TestContext) => Promise<Daemon>][] = [
      ['standalone, SQLite', (t) => standalone(t, { postgres: false })],
      ['standalone, PostgreSQL password in the URL and PGPASSWORD', (t) => standalone(t, { postgres: true })],
      [
        'standalone crawl_user on PostgreSQL',
        (t) => standalone(t, { postgres: true, crawlUser: throwawayUser(t).name }),
      ],
      ['remote agent', remoteAgent],
    ];
    await Promise.all(configs.map(([name, start]) => t.test(name, async (t) => checkDaemon(await start(t)))));
  },
);
