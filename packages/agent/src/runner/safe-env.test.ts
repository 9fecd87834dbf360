import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PassthroughName } from '@scrapyard/protocol';
import { crawlBaseEnv, crawlProcessEnv } from './safe-env.js';

const DAEMON_ENV = {
  PATH: '/usr/bin',
  HOME: '/home/x',
  LANG: 'C.UTF-8',
  LC_ALL: 'C.UTF-8',
  TZ: 'UTC',
  TMPDIR: '/tmp/x',
  PYTHONPATH: '/srv/projects',
  HTTP_PROXY: 'http://proxy:3128',
  https_proxy: 'http://proxy:3128',
  // Everything below is the daemon's own and must not reach crawl code, whatever its name looks like.
  SCRAPYARD_DATABASE_URL: 'postgres://scrapyard:db-pass@db/scrapyard',
  DATABASE_URL: 'postgres://app:db-pass@db/app',
  PGPASSWORD: 'pg-pass',
  SCRAPYD_USERNAME: 'admin',
  SCRAPYD_PASSWORD: 'hunter2',
  SCRAPYARD_DATA_DIR: '/var/lib/scrapyard',
  SCRAPYARD_TEMPORARY_NODE_SECRET: 's'.repeat(40),
  MY_SERVICE_TOKEN: 'canary',
  CREDENTIALS_DIRECTORY: '/run/credentials/scrapyard.service',
  NOTIFY_SOCKET: '/run/systemd/notify',
  SCRAPY_SETTINGS_MODULE: 'daemon.settings',
  PYTHONHOME: '/opt/py',
  PIP_INDEX_URL: 'https://user:pass@pypi.internal/simple',
  MYAPP_API_KEY: 'meant for crawls',
  MYAPP_REGION: 'eu',
  CRAWL_TOKEN: 'meant for crawls too',
};

void test('crawl code sees only the allowlist of the daemon environment', () => {
  assert.deepEqual(crawlBaseEnv(DAEMON_ENV), {
    PATH: '/usr/bin',
    HOME: '/home/x',
    LANG: 'C.UTF-8',
    LC_ALL: 'C.UTF-8',
    TZ: 'UTC',
    TMPDIR: '/tmp/x',
    PYTHONPATH: '/srv/projects',
    HTTP_PROXY: 'http://proxy:3128',
    https_proxy: 'http://proxy:3128',
  });
  assert.equal(DAEMON_ENV.PGPASSWORD, 'pg-pass', 'the input is not modified');
});

void test('the names the user passes through on purpose are added, exactly or by prefix', () => {
  const env = crawlBaseEnv(DAEMON_ENV, ['MYAPP_*', 'CRAWL_TOKEN', 'ABSENT']);
  assert.equal(env.MYAPP_API_KEY, 'meant for crawls');
  assert.equal(env.MYAPP_REGION, 'eu');
  assert.equal(env.CRAWL_TOKEN, 'meant for crawls too');
  assert.equal('ABSENT' in env, false);
  assert.equal(env.PGPASSWORD, undefined);
  assert.ok(PassthroughName.safeParse('MYAPP_*').success);
  for (const bad of ['', '*', 'A*B', 'A=B', '1ABC']) assert.ok(!PassthroughName.safeParse(bad).success, bad);
});

void test("one spawn's environment: crawl user, venv first on PATH, per-run variables", () => {
  const base = crawlBaseEnv(DAEMON_ENV);
  const env = crawlProcessEnv(base, {
    identity: { user: 'crawler', uid: 1001, gid: 1001, home: '/home/crawler' },
    python: '/data/venvs/demo-1/bin/python',
    vars: { SCRAPY_PROJECT: 'demo', SCRAPYD_EGG_VERSION: undefined },
  });
  assert.equal(env.HOME, '/home/crawler');
  assert.equal(env.USER, 'crawler');
  assert.equal(env.LOGNAME, 'crawler');
  assert.equal(env.VIRTUAL_ENV, '/data/venvs/demo-1');
  assert.equal(env.PATH, '/data/venvs/demo-1/bin:/usr/bin');
  assert.equal(env.SCRAPY_PROJECT, 'demo');
  assert.equal('SCRAPYD_EGG_VERSION' in env, false);
  assert.deepEqual(crawlProcessEnv(base, { identity: null }), { ...base });
});
