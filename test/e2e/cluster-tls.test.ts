/**
 * TLS end to end: a master serving HTTPS and WSS with a certificate from a private CA; an agent that trusts the
 * CA (caFile) registers over https, connects over wss:// and runs a crawl; the admin CLI works over https with
 * --ca-file; an agent without the CA cannot register or connect, and says it is about the certificate.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { enroll, runCli, startAgent } from '../helpers/agents.js';
import { nodeInfo, softChecks, startCluster } from '../helpers/cluster.js';
import { request } from '../helpers/http.js';
import { deploy, schedule, waitFinished } from '../helpers/jobs.js';
import { tempDir } from '../helpers/processes.js';
import { PYTHON } from '../helpers/python.js';
import { makeTestPki } from '../helpers/tls.js';
import { waitFor } from '../helpers/wait.js';

/** How many dial attempts the agent logged as failing on the master's certificate. */
function certificateErrors(output: string): number {
  return output
    .split('\n')
    .filter((line) => line.includes('TLS error connecting to the master'))
    .map((line) => JSON.parse(line) as { msg: string; err?: { code?: string } })
    .filter(
      (l) =>
        l.err?.code === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' &&
        l.msg === 'TLS error connecting to the master: unable to verify the first certificate (check caFile)',
    ).length;
}

void test('TLS: register, connect over wss:// and crawl; no CA, no connection', { timeout: 240_000 }, async (t) => {
  const pki = makeTestPki(t);
  const { master, url, api, rest } = await startCluster(t, { tls: pki });
  const soft = softChecks(t);
  assert.match(url, /^https:\/\/127\.0\.0\.1:\d+$/);
  const wss = `wss://127.0.0.1:${master.port}/agent/v1/ws`;

  // Plain HTTP is not served on the TLS port, and a client without the CA refuses the certificate.
  // Node's TLS server drops a connection whose first bytes are not a TLS handshake: no HTTP answer at all.
  await assert.rejects(
    request(`http://127.0.0.1:${master.port}/daemonstatus.json`, { timeoutMs: 5_000 }),
    { code: 'ECONNRESET', message: 'socket hang up' },
    'no plain HTTP API on the TLS port',
  );
  await assert.rejects(request(`${url}/daemonstatus.json`), {
    code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    message: 'unable to verify the first certificate',
  });
  assert.equal((await request(`${url}/daemonstatus.json`, { caFile: pki.caFile })).status, 200);

  const agent = await startAgent(t, {
    master: { url },
    masterUrl: wss,
    caFile: pki.caFile,
    nodeId: 'tls-agent',
  });
  assert.equal((await nodeInfo(rest, 'tls-agent')).online, true);
  await deploy(api);
  const id = await schedule(api, { project: 'demo', spider: 'quick', jobid: 'over-tls' });
  const done = await waitFinished(api, id);
  assert.equal(done.outcome, 'succeeded');
  assert.match((await api.raw('GET', `/logs/demo/quick/${id}.log`)).text, /QUICK_DONE/);

  // The admin CLI over https with --ca-file.
  const listed = await runCli('master', ['node', 'list', '--json', '--url', url, '--ca-file', pki.caFile]);
  assert.equal(listed.code, 0, listed.all);
  assert.match(listed.stdout, /tls-agent/);
  const untrusted = await runCli('master', ['node', 'list', '--json', '--url', url]);
  assert.equal(untrusted.code, 1, `the CLI without the CA refuses the certificate:\n${untrusted.all}`);
  assert.equal(
    untrusted.stderr,
    `scrapyard-master node: MASTER_UNREACHABLE: cannot reach the master at ${url}: unable to verify the first certificate\n`,
  );

  // register without the CA fails on the certificate and writes nothing.
  const dir = tempDir(t);
  const config = join(dir, 'agent.json');
  writeFileSync(config, JSON.stringify({ masterUrl: wss, dataDir: join(dir, 'data'), slots: 1, python: PYTHON }));
  const token = (await enroll(url, {}, { caFile: pki.caFile })).token;
  const reg = await runCli('agent', ['register', '--config', config, '--token', token, '--node-id', 'no-ca']);
  assert.equal(reg.code, 1, reg.all);
  assert.equal(
    reg.stderr,
    `scrapyard-agent: MASTER_UNREACHABLE: cannot reach the master at ${url}: unable to verify the first certificate\n`,
  );
  assert.ok(!existsSync(join(dir, 'data', 'node-credential.json')), 'no credential written');

  // The registered agent, restarted without its CA, cannot connect, and its log says why.
  await agent.stop();
  const blind = await startAgent(t, {
    master: { url },
    dataDir: agent.dataDir,
    masterUrl: wss,
    nodeId: 'tls-agent',
    waitConnected: false,
  });
  // It retries, and each attempt fails on the certificate again.
  await waitFor(() => certificateErrors(blind.currentOutput()) >= 2, {
    what: 'the agent to log a certificate error on two attempts',
    timeoutMs: 20_000,
  });
  assert.doesNotMatch(blind.currentOutput(), /connected to master/);
  assert.equal((await nodeInfo(rest, 'tls-agent')).online, false);
  await blind.stop().catch((e: unknown) =>
    soft.check('an agent that never connected stops cleanly on SIGTERM', () => {
      throw e;
    }),
  );
  // With the CA again, it is back.
  await agent.restart();
  await waitFor(async () => (await nodeInfo(rest, 'tls-agent')).online, { what: 'tls-agent back online' });
  soft.done();
});
