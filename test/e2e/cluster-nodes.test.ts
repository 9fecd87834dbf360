/**
 * Node administration on a live cluster: revoking a node closes its session for good, rotating a node's secret
 * while it is online updates its credential file (and the new secret is the one that works), and temporary nodes
 * are refused unless the master enables them with a shared secret.
 */
import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { gatewayUrl, runCli, startAgent } from '../helpers/agents.js';
import { listNodes, nodeInfo, rawJobs, softChecks, startCluster } from '../helpers/cluster.js';
import { deploy, schedule, waitFinished } from '../helpers/jobs.js';
import { tempDir } from '../helpers/processes.js';
import { rawHandshake } from '../helpers/raw-agent.js';
import { waitFor } from '../helpers/wait.js';

/** Answer of the gateway to a handshake proving `secret` for `nodeId`: 'welcome' or the rejection code. */
async function tryHandshake(url: string, nodeId: string, secretHex: string): Promise<string> {
  return (await rawHandshake(gatewayUrl(url), { nodeId, secret: Buffer.from(secretHex, 'hex') })).verdict;
}

/** How many times the agent logged that the master rejected it as revoked. */
function revokedRejections(output: string): number {
  return output
    .split('\n')
    .filter((line) => line.includes('master rejected this agent'))
    .filter((line) => (JSON.parse(line) as { code?: string }).code === 'NODE_REVOKED').length;
}

const secretOf = (file: string) => (JSON.parse(readFileSync(file, 'utf8')) as { secret: string }).secret;

void test('revoke closes a node for good; rotate replaces its secret while online', { timeout: 240_000 }, async (t) => {
  const { url, rest } = await startCluster(t);
  const admin = (...args: string[]) => runCli('master', ['node', ...args, '--url', url]);
  const doomed = await startAgent(t, { master: { url }, nodeId: 'doomed' });
  const rotating = await startAgent(t, { master: { url }, nodeId: 'rotating' });

  // Revoke: the session is closed and every later attempt is refused.
  const revoked = await admin('revoke', 'doomed');
  assert.equal(revoked.code, 0, revoked.all);
  await waitFor(async () => !(await nodeInfo(rest, 'doomed')).online, { what: 'doomed to go offline' });
  const info = await nodeInfo(rest, 'doomed');
  assert.equal(info.revoked, true);
  // The agent dials again (its session was closed, not refused) and is refused on every reconnect attempt.
  await waitFor(() => revokedRejections(doomed.currentOutput()) >= 2, {
    what: 'the revoked agent to be refused on two reconnect attempts',
    timeoutMs: 20_000,
  });
  assert.match(doomed.currentOutput(), /disconnected from master/);
  assert.equal((await nodeInfo(rest, 'doomed')).online, false, 'a revoked node never comes back');
  assert.equal(
    (doomed.currentOutput().match(/"msg":"connected to master"/g) ?? []).length,
    1,
    'no second "connected to master" after the revoke',
  );
  assert.equal(await tryHandshake(url, 'doomed', secretOf(doomed.credentialFile)), 'NODE_REVOKED');
  // A fresh process with the same credential does not get in either, however often it tries.
  await doomed.kill9();
  await doomed.restart({ waitConnected: false });
  await waitFor(() => revokedRejections(doomed.currentOutput()) >= 2, {
    what: 'the restarted revoked agent to be refused twice',
    timeoutMs: 20_000,
  });
  assert.doesNotMatch(doomed.currentOutput(), /"msg":"connected to master"/);
  await doomed.kill9();
  // Rotating or cordoning a revoked node is refused: it is no longer a registered node.
  for (const action of ['rotate', 'cordon', 'uncordon']) {
    const r = await rest.call('POST', `/api/v1/nodes/doomed/${action}`);
    assert.equal(r.status, 404, `${action}: ${r.text}`);
    assert.deepEqual(
      r.json.error,
      { code: 'NOT_FOUND', message: 'no registered node doomed', details: { nodeId: 'doomed' } },
      action,
    );
  }
  assert.equal((await nodeInfo(rest, 'doomed')).cordoned, false, 'the refused cordon changed nothing');

  // Rotate while online: the credential file gets a new secret, and only the new secret works.
  const oldSecret = secretOf(rotating.credentialFile);
  const rotated = await admin('rotate', 'rotating');
  assert.equal(rotated.code, 0, rotated.all);
  const newSecret = await waitFor(
    () => {
      const s = secretOf(rotating.credentialFile);
      return s !== oldSecret ? s : undefined;
    },
    { what: 'the credential file to get the new secret', timeoutMs: 10_000 },
  );
  assert.match(newSecret, /^[0-9a-f]{64}$/);
  assert.equal(statSync(rotating.credentialFile).mode & 0o777, 0o600, 'still 0600 after rotation');
  assert.equal((await nodeInfo(rest, 'rotating')).online, true, 'the agent stays connected through the rotation');
  assert.equal(await tryHandshake(url, 'rotating', oldSecret), 'BAD_CREDENTIALS', 'the old secret is dead');
  await rotating.restart(); // proves the new secret on disk works
  assert.equal((await nodeInfo(rest, 'rotating')).online, true);
  // Rotating an offline node is refused: it could not store the new secret.
  await rotating.stop();
  await waitFor(async () => !(await nodeInfo(rest, 'rotating')).online, { what: 'rotating to go offline' });
  const offline = await rest.call('POST', '/api/v1/nodes/rotating/rotate');
  assert.equal(offline.status, 409, offline.text);
  assert.equal((offline.json.error as { code: string }).code, 'NODE_OFFLINE');
  assert.equal(secretOf(rotating.credentialFile), newSecret, 'nothing changed on disk');
  await rotating.restart();
});

void test(
  'temporary nodes: refused by default, accepted with temporary_nodes on and the shared secret',
  { timeout: 240_000 },
  async (t) => {
    const soft = softChecks(t);
    const secret = 'temporary-node-shared-secret-0123456789';
    const dir = tempDir(t);
    const secretFile = join(dir, 'temporary-secret');
    writeFileSync(secretFile, `${secret}\n`, { mode: 0o600 });

    const closed = await startCluster(t);
    const refused = await startAgent(t, {
      master: { url: closed.url },
      nodeId: 'temp-refused',
      register: false,
      waitConnected: false,
      config: { temporarySecretFile: secretFile },
    });
    await waitFor(() => /rejected/.test(refused.currentOutput()), {
      what: 'the temporary node to be rejected',
      timeoutMs: 15_000,
    });
    assert.doesNotMatch(refused.output(), /connected to master/);
    assert.ok(!(await listNodes(closed.rest)).some((n) => n.nodeId === 'temp-refused' && n.online));
    const stopCleanly = (a: { stop(): Promise<void> }) =>
      a.stop().catch((e: unknown) =>
        soft.check('an agent that never connected stops cleanly on SIGTERM', () => {
          throw e;
        }),
      );
    await stopCleanly(refused);

    const open = await startCluster(t, {
      env: { SCRAPYARD_TEMPORARY_NODES: 'on', SCRAPYARD_TEMPORARY_NODE_SECRET: secret },
    });
    const temp = await startAgent(t, {
      master: { url: open.url },
      nodeId: 'temp-1',
      register: false,
      tags: ['spot'],
      config: { temporarySecretFile: secretFile },
    });
    const node = await nodeInfo(open.rest, temp.nodeId);
    assert.deepEqual(
      { kind: node.kind, online: node.online, tags: node.tags },
      { kind: 'temporary', online: true, tags: ['spot'] },
    );
    // A temporary node with the wrong shared secret is refused; with a mutual handshake it is the agent that
    // notices first (the master's proof is made with the real secret), and it says nothing more.
    const wrongFile = join(dir, 'wrong-secret');
    writeFileSync(wrongFile, 'x'.repeat(40), { mode: 0o600 });
    const wrong = await startAgent(t, {
      master: { url: open.url },
      nodeId: 'temp-wrong',
      register: false,
      waitConnected: false,
      config: { temporarySecretFile: wrongFile },
    });
    await waitFor(() => /"code":"MASTER_AUTH_FAILED"/.test(wrong.currentOutput()), {
      what: 'the wrong secret to be rejected',
    });
    assert.doesNotMatch(wrong.output(), /connected to master/);
    await stopCleanly(wrong);

    // The temporary node does real work.
    await deploy(open.api);
    const id = await schedule(open.api, { project: 'demo', spider: 'quick', _tags: 'spot' });
    const done = await waitFinished(open.api, id);
    assert.equal(done.outcome, 'succeeded');
    assert.equal((await rawJobs(open.api)).finished.find((j) => j.id === id)?.node_id, 'temp-1');
    soft.done();
  },
);
