/**
 * Standalone mode with TLS: the master serves HTTPS and WSS, and its embedded agent trusts the master's own
 * certificate (verified, never skipped), whether a CA signed it or it is self-signed: it connects, fetches the
 * egg over https and runs a crawl, while clients reach the Scrapyd API over https with the CA.
 */
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { clusterOf, nodeInfo } from '../helpers/cluster.js';
import { request } from '../helpers/http.js';
import { deploy, schedule, waitFinished } from '../helpers/jobs.js';
import { startMaster } from '../helpers/processes.js';
import { makeSelfSignedCert, makeTestPki, type TestPki } from '../helpers/tls.js';

async function crawlOverTls(t: TestContext, pki: TestPki): Promise<void> {
  // startMaster waits for the embedded agent's "connected to master": over wss://, with the certificate checked.
  const master = await startMaster(t, { args: ['--tls-cert', pki.certFile, '--tls-key', pki.keyFile] });
  const { url, api, rest } = clusterOf(master, { tls: pki });
  assert.match(master.output(), /listening on https:\/\/127\.0\.0\.1:/);
  await assert.rejects(request(`${url}/daemonstatus.json`), /certificate/, 'a client without the CA refuses it');
  const status = await api.get('daemonstatus.json');
  assert.equal(status.status, 'ok');
  assert.equal((await nodeInfo(rest, 'local')).online, true, 'the embedded agent is online');

  await deploy(api);
  const id = await schedule(api, { project: 'demo', spider: 'quick', jobid: 'over-tls' });
  const done = await waitFinished(api, id);
  assert.equal(done.outcome, 'succeeded', 'the egg was fetched over https and the crawl ran');
  assert.match((await api.raw('GET', `/logs/demo/quick/${id}.log`)).text, /QUICK_DONE/);
  assert.doesNotMatch(master.output(), /certificate|self[- ]signed|UNABLE_TO/i, 'no TLS error anywhere');
}

void test('standalone over TLS with a certificate signed by a private CA', async (t) => {
  await crawlOverTls(t, makeTestPki(t));
});

void test('standalone over TLS with a self-signed certificate', async (t) => {
  await crawlOverTls(t, makeSelfSignedCert(t));
});
