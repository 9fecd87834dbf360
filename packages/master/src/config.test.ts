import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ConfigError, loadMasterConfig } from './config.js';

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
  const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'scrapyd.conf');
  writeFileSync(
    file,
    '[scrapyd]\nhttp_port = 7000\nmax_proc = 3\nitems_dir =\nlogs_dir = mylogs\npoll_interval = 5.0\n[scrapyard]\npip_find_links = /w1 /w2\n',
  );
  const c = loadMasterConfig({
    file,
    env: { SCRAPYD_HTTP_PORT: '7100', SCRAPYD_USERNAME: 'u' },
    flags: { bindAddress: '0.0.0.0' },
  });
  assert.equal(c.httpPort, 7100);
  assert.equal(c.bindAddress, '0.0.0.0');
  assert.equal(c.slots, 3);
  assert.equal(c.itemsDir, '', 'an empty items_dir turns items off');
  assert.equal(c.logsDir, join(dir, 'mylogs'), 'relative dirs in a file are relative to the file');
  assert.deepEqual(c.pipFindLinks, ['/w1', '/w2']);
  assert.equal(c.username, 'u');
});

void test('bad config lists every problem with its key', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'bad.conf');
  writeFileSync(file, '[scrapyd]\nhttp_port = lots\nbogus_key = 1\n');
  assert.throws(
    () => loadMasterConfig({ file }),
    (e: unknown) => e instanceof ConfigError && /bogus_key/.test(e.message),
  );
  assert.throws(
    () => loadMasterConfig({ flags: { httpPort: 'x', username: 'a:b' } }),
    (e: unknown) => e instanceof ConfigError && /httpPort/.test(e.message) && /username/.test(e.message),
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
