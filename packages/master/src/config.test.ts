import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { ConfigError, loadMasterConfig } from './config-load.js';

function tempDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

void test('defaults make a drop-in Scrapyd on 127.0.0.1:6800 with items on', () => {
  const c = loadMasterConfig({});
  assert.equal(c.bindAddress, '127.0.0.1');
  assert.equal(c.httpPort, 6800);
  assert.match(c.logsDir, /scrapyard-data\/logs$/);
  assert.match(c.itemsDir, /scrapyard-data\/items$/);
  assert.equal(c.finishedToKeep, 100);
  assert.ok(c.slots >= 4);
});

void test('precedence: file < env < flags; scrapyd.conf keys are honoured; SCRAPYD_* env overrides', (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'scrapyd.conf');
  writeFileSync(
    file,
    '[scrapyd]\nhttp_port = 7000\nmax_proc = 3\nitems_dir =\nlogs_dir = mylogs\npoll_interval = 5.0\n[scrapyard]\npip_find_links = /w1 /w2\n',
  );
  const c = loadMasterConfig({
    file,
    env: { SCRAPYD_HTTP_PORT: '7100', SCRAPYD_USERNAME: 'u', SCRAPYD_PASSWORD: 'p' },
    flags: { bindAddress: '0.0.0.0' },
  });
  assert.equal(c.httpPort, 7100);
  assert.equal(c.bindAddress, '0.0.0.0');
  assert.equal(c.slots, 3);
  assert.equal(c.itemsDir, '', 'an empty items_dir turns items off');
  assert.equal(c.logsDir, join(dir, 'mylogs'), 'relative dirs in a file are relative to the file');
  assert.deepEqual(c.pipFindLinks, ['/w1', '/w2']);
  assert.equal(c.username, 'u');
  assert.equal(c.password, 'p');
});

void test('bad config lists every problem with its key', (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'bad.conf');
  writeFileSync(file, '[scrapyd]\nhttp_port = lots\nbogus_key = 1\n');
  assert.throws(
    () => loadMasterConfig({ file }),
    (e: unknown) => e instanceof ConfigError && /bogus_key/.test(e.message),
  );
  assert.throws(
    () => loadMasterConfig({ flags: { httpPort: 'x', username: 'a:b' } }),
    (e: unknown) =>
      e instanceof ConfigError &&
      /^ {2}--port: not a number$/m.test(e.message) &&
      /^ {2}username: must not contain ":"$/m.test(e.message),
  );
  assert.throws(() => loadMasterConfig({ file: join(dir, 'missing.conf') }), /cannot read/);
});

void test('cluster keys: safe defaults, TLS needs both files, temporary nodes need a long secret', () => {
  const c = loadMasterConfig({});
  assert.equal(c.temporaryNodes, false);
  assert.equal(c.heartbeatTimeout, 15);
  assert.equal(c.lostGrace, 600);
  assert.equal(c.lostJobRetries, 0);
  assert.throws(
    () => loadMasterConfig({ env: { SCRAPYARD_TLS_CERT: '/x/cert.pem' } }),
    /tls_cert and tls_key go together/,
  );
  assert.throws(
    () => loadMasterConfig({ env: { SCRAPYARD_TEMPORARY_NODES: 'on', SCRAPYARD_TEMPORARY_NODE_SECRET: 'short' } }),
    /at least 32 characters/,
  );
  const on = loadMasterConfig({
    env: {
      SCRAPYARD_TEMPORARY_NODES: 'on',
      SCRAPYARD_TEMPORARY_NODE_SECRET: 'x'.repeat(32),
      SCRAPYARD_LOST_GRACE: '5',
    },
  });
  assert.equal(on.temporaryNodes, true);
  assert.equal(on.lostGrace, 5);
  assert.throws(() => loadMasterConfig({ env: { SCRAPYARD_HEARTBEAT_TIMEOUT: '1' } }), ConfigError);
});

void test('username and password go together: one without the other is an error, never "auth off"', (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'scrapyd.conf');
  writeFileSync(file, '[scrapyd]\nusername = admin\n');
  assert.throws(() => loadMasterConfig({ file }), /password: username is set without password/);
  assert.throws(
    () => loadMasterConfig({ env: { SCRAPYD_PASSWORD: 'secret' } }),
    /username: password is set without username/,
  );
  const both = loadMasterConfig({ file, env: { SCRAPYD_PASSWORD: 'secret' } });
  assert.deepEqual([both.username, both.password], ['admin', 'secret']);
  const neither = loadMasterConfig({});
  assert.deepEqual([neither.username, neither.password], ['', '']);
});

void test('HTTP safety keys: defaults, and cors_origins takes * or origins only', () => {
  const c = loadMasterConfig({});
  assert.equal(c.allowUnauthenticated, false);
  assert.equal(c.bodyLimitBytes, 1024 * 1024);
  assert.equal(c.maxLiveTails, 256);
  assert.deepEqual(c.corsOrigins, ['*']);
  const narrowed = loadMasterConfig({
    env: { SCRAPYARD_CORS_ORIGINS: 'https://Dash.Example:443/, http://127.0.0.1:5000' },
  });
  assert.deepEqual(narrowed.corsOrigins, ['https://dash.example', 'http://127.0.0.1:5000']);
  assert.deepEqual(loadMasterConfig({ env: { SCRAPYARD_CORS_ORIGINS: '' } }).corsOrigins, []);
  for (const bad of ['https://x.example/path', 'ftp://x.example', 'x.example', 'https://x.example?q=1']) {
    assert.throws(
      () => loadMasterConfig({ env: { SCRAPYARD_CORS_ORIGINS: bad } }),
      /SCRAPYARD_CORS_ORIGINS=.*is not an origin/s,
      bad,
    );
  }
});

void test('discovered Scrapyd files: later wins key by key; relative paths from the working directory', (t) => {
  const dir = tempDir(t);
  const a = join(dir, 'a.conf');
  const b = join(dir, 'b.conf');
  writeFileSync(
    a,
    '[scrapyd]\nhttp_port = 7001\nlogs_dir = alogs\n[services]\ndelproject.json =\nlistjobs.json =\n[settings]\np1 = m1.settings\n',
  );
  writeFileSync(
    b,
    '[scrapyd]\nmax_proc = 2\n[services]\nlistjobs.json = scrapyd.webservice.ListJobs\n[settings]\np2 = m2.settings\n',
  );
  const c = loadMasterConfig({ discovered: [a, b], cwd: '/srv/scrapyd' });
  assert.equal(c.httpPort, 7001);
  assert.equal(c.slots, 2);
  assert.equal(c.logsDir, '/srv/scrapyd/alogs');
  assert.deepEqual(c.disabledServices, ['delproject.json'], 'a later file can restore an endpoint');
  assert.deepEqual(c.settingsProjects, { p1: 'm1.settings', p2: 'm2.settings' });
  // --config alone is read, relative to its own directory.
  assert.equal(loadMasterConfig({ file: a, discovered: [b], cwd: '/srv' }).logsDir, join(dir, 'alogs'));
  writeFileSync(b, '[scrapyd]\nbogus = 1\n');
  assert.throws(() => loadMasterConfig({ discovered: [a, b] }), /bogus in .*b\.conf \[scrapyd\]: unknown key/);
});

void test('database keys: SQLite by default; a postgres URL from file, env or flag; anything else refused unechoed', (t) => {
  const c = loadMasterConfig({});
  assert.deepEqual([c.databaseUrl, c.databasePoolSize, c.autoMigrate], ['', 10, true]);
  const dir = tempDir(t);
  const file = join(dir, 'scrapyd.conf');
  writeFileSync(
    file,
    '[scrapyard]\ndatabase_url = postgres://u:p@db:5432/s\ndatabase_pool_size = 4\nauto_migrate = off\n',
  );
  const fromFile = loadMasterConfig({ file });
  assert.deepEqual(
    [fromFile.databaseUrl, fromFile.databasePoolSize, fromFile.autoMigrate],
    ['postgres://u:p@db:5432/s', 4, false],
  );
  const env = { SCRAPYARD_DATABASE_URL: 'postgresql://e@h/d' };
  assert.equal(loadMasterConfig({ file, env }).databaseUrl, 'postgresql://e@h/d');
  assert.equal(
    loadMasterConfig({ file, env, flags: { databaseUrl: 'postgres://f@h/d' } }).databaseUrl,
    'postgres://f@h/d',
  );
  for (const bad of ['mysql://u:secret-pw@h/d', 'postgres:secret-pw@h', 'secret-pw']) {
    assert.throws(
      () => loadMasterConfig({ flags: { databaseUrl: bad } }),
      (e: unknown) =>
        e instanceof ConfigError &&
        /--database-url: expected empty/.test(e.message) &&
        !e.message.includes('secret-pw'),
      bad,
    );
  }
  assert.throws(() => loadMasterConfig({ flags: { databasePoolSize: '0' } }), /database_pool_size: out of range/);
});

void test('metrics_token: none by default, from [scrapyard] or SCRAPYARD_METRICS_TOKEN, refused when guessable', (t) => {
  assert.equal(loadMasterConfig({}).metricsToken, '');
  assert.equal(
    loadMasterConfig({ env: { SCRAPYARD_METRICS_TOKEN: 'prometheus-scrape-0123' } }).metricsToken,
    'prometheus-scrape-0123',
  );
  const file = join(tempDir(t), 'scrapyd.conf');
  writeFileSync(file, '[scrapyard]\nmetrics_token = from-the-file-0123456\n');
  assert.equal(loadMasterConfig({ file }).metricsToken, 'from-the-file-0123456');
  for (const bad of ['short', 'has spaces in the middle ok?', 'ünïcödé-tökén-0123456']) {
    assert.throws(
      () => loadMasterConfig({ env: { SCRAPYARD_METRICS_TOKEN: bad } }),
      /SCRAPYARD_METRICS_TOKEN: expected at least 16/,
      bad,
    );
  }
});

void test('connection caps: max_connections and max_connections_per_ip from file and env, 0 turns the per-address cap off', (t) => {
  const c = loadMasterConfig({});
  assert.deepEqual([c.maxConnections, c.maxConnectionsPerIp], [16_384, 1_024]);
  const file = join(tempDir(t), 'scrapyd.conf');
  writeFileSync(file, '[scrapyard]\nmax_connections = 100\nmax_connections_per_ip = 0\n');
  const fromFile = loadMasterConfig({ file });
  assert.deepEqual([fromFile.maxConnections, fromFile.maxConnectionsPerIp], [100, 0]);
  const env = { SCRAPYARD_MAX_CONNECTIONS_PER_IP: '10' };
  assert.equal(loadMasterConfig({ file, env }).maxConnectionsPerIp, 10);
  assert.throws(() => loadMasterConfig({ flags: { maxConnections: 0 } }), /max_connections: out of range/);
});
