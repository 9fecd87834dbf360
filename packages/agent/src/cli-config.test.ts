import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { AgentConfigError, gatewayUrl, httpBaseOf, loadAgentFile, toAgentConfig } from './cli-config.js';
import { credentialPath, readCredential, writeCredential } from './credential.js';

void test('master URLs: a bare host:port gets the gateway path; http(s) base follows ws(s)', () => {
  assert.equal(gatewayUrl('ws://10.0.0.1:6800'), 'ws://10.0.0.1:6800/agent/v1/ws');
  assert.equal(gatewayUrl('wss://m.example/agent/v1/ws'), 'wss://m.example/agent/v1/ws');
  assert.equal(httpBaseOf('wss://m.example:6800/agent/v1/ws'), 'https://m.example:6800');
  assert.equal(httpBaseOf('ws://127.0.0.1:6800'), 'http://127.0.0.1:6800');
});

void test('config file + env: env wins, paths are relative to the file, bad keys are named', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'agent-cfg-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'agent.json');
  writeFileSync(file, JSON.stringify({ masterUrl: 'ws://127.0.0.1:1', dataDir: 'data', tags: ['a'], slots: 2 }));
  const c = loadAgentFile(file, {
    SCRAPYARD_TAGS: 'eu, gpu',
    SCRAPYARD_DEDICATED: 'on',
    SCRAPYARD_PIP_ALLOW_DIRECT_URLS: 'on',
    SCRAPYARD_CRAWL_USER: 'crawler',
  });
  assert.equal(c.pipAllowDirectUrls, true);
  assert.equal(c.crawlUser, 'crawler');
  assert.equal(loadAgentFile(file, {}).pipAllowDirectUrls, false, 'direct references are off by default');
  assert.equal(c.dataDir, join(dir, 'data'));
  assert.deepEqual(c.tags, ['eu', 'gpu']);
  assert.equal(c.dedicated, true);
  assert.equal(c.slots, 2);
  writeFileSync(file, JSON.stringify({ masterUrl: 'ftp://x', nodeKeyFile: 'k' }));
  assert.throws(
    () => loadAgentFile(file, {}),
    (e: Error) => /masterUrl/.test(e.message) && /nodeKeyFile/.test(e.message),
  );
});

void test('identity: the registered credential (0600), or a temporary node with its shared secret', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'agent-id-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const base = loadAgentFile(undefined, { SCRAPYARD_MASTER_URL: 'ws://127.0.0.1:1', SCRAPYARD_DATA_DIR: dir });
  assert.throws(
    () => toAgentConfig(base),
    (e: Error) => e instanceof AgentConfigError && /register/.test(e.message),
  );

  const secret = 'ab'.repeat(32);
  writeCredential(credentialPath(dir), { nodeId: 'n1', secret });
  assert.equal(statSync(credentialPath(dir)).mode & 0o777, 0o600);
  assert.equal(readCredential(credentialPath(dir)).nodeId, 'n1');
  const c = toAgentConfig(base);
  assert.equal(c.nodeId, 'n1');
  assert.equal(c.nodeKey.toString('hex'), secret);
  assert.equal(c.temporary, false);

  const shared = join(dir, 'shared');
  writeFileSync(shared, `${'s'.repeat(40)}\n`);
  const tmp = { ...base, temporarySecretFile: shared };
  assert.throws(() => toAgentConfig(tmp), /temporary node needs a nodeId/);
  const t2 = toAgentConfig({ ...tmp, nodeId: 'drifter' });
  assert.equal(t2.temporary, true);
  assert.equal(t2.nodeKey.toString('utf8'), 's'.repeat(40));
  assert.equal(t2.credentialFile, null);
});

void test('crawlEnvPassthrough: a list in the file, a comma list in the environment, names only', () => {
  const env = { SCRAPYARD_MASTER_URL: 'ws://127.0.0.1:1', SCRAPYARD_DATA_DIR: '/tmp/x' };
  assert.deepEqual(loadAgentFile(undefined, env).crawlEnvPassthrough, []);
  const c = loadAgentFile(undefined, { ...env, SCRAPYARD_CRAWL_ENV_PASSTHROUGH: 'MYAPP_*, API_KEY' });
  assert.deepEqual(c.crawlEnvPassthrough, ['MYAPP_*', 'API_KEY']);
  const secret = join(mkdtempSync(join(tmpdir(), 'cfg-')), 'secret');
  writeFileSync(secret, 's'.repeat(40));
  const temp = { ...c, nodeId: 'n1', temporarySecretFile: secret };
  assert.deepEqual(toAgentConfig(temp).crawlEnvPassthrough, ['MYAPP_*', 'API_KEY'], 'it reaches the agent');
  assert.throws(() => loadAgentFile(undefined, { ...env, SCRAPYARD_CRAWL_ENV_PASSTHROUGH: 'A=B' }), AgentConfigError);
});
