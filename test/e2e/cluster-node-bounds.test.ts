/**
 * What a node sends is bounded: a registered node (a raw protocol peer with a valid credential) that floods
 * heartbeats has all but a few dropped, and sample times far from the master's clock are replaced by the time of
 * receipt, so a node can neither flood the metrics store nor plant samples in the past or the future.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { enroll, gatewayUrl } from '../helpers/agents.js';
import { nodeInfo, startCluster } from '../helpers/cluster.js';
import { request } from '../helpers/http.js';
import { rawHandshake, type RawFrame } from '../helpers/raw-agent.js';
import { waitFor } from '../helpers/wait.js';

const DAY_MS = 86_400_000;

const host = (at: number, cpuPercent: number) => ({
  at,
  cpuPercent,
  cpus: 2,
  load1: 0.1,
  load5: 0.1,
  load15: 0.1,
  memUsedBytes: 1,
  memTotalBytes: 2,
  diskUsedBytes: 1,
  diskTotalBytes: 2,
  netRxBytesPerSec: 0,
  netTxBytesPerSec: 0,
});

void test('a flood of heartbeats is mostly dropped; far-off sample times are clamped', async (t) => {
  const { url, rest } = await startCluster(t, { env: { SCRAPYARD_HEARTBEAT_TIMEOUT: '15' } });
  const enrollment = await enroll(url);
  const registered = await request(`${url}/agent/v1/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      enrollKey: enrollment.key,
      enrollSecret: enrollment.secret,
      nodeId: 'noisy',
      hostname: 'n',
    }),
  });
  assert.equal(registered.status, 200, registered.text);
  const session = await rawHandshake(gatewayUrl(url), {
    nodeId: 'noisy',
    secret: Buffer.from(String(registered.json.secret), 'hex'),
    keepOpen: true,
  });
  t.after(() => session.ws.terminate());
  assert.equal(session.verdict, 'welcome');

  // 50 heartbeats at once, numbered by their cpuPercent, all claiming to be from tomorrow.
  const sentAt = Date.now();
  for (let i = 0; i < 50; i++) {
    session.ws.send(
      JSON.stringify({
        type: 'heartbeat',
        payload: { running: 0, at: sentAt + DAY_MS, host: host(sentAt + DAY_MS, i) },
      }),
    );
  }
  // Frames are handled in order: once this chunk (of a run nobody knows) is acknowledged, every heartbeat was seen.
  session.ws.send(
    JSON.stringify({
      type: 'log.chunk',
      payload: { runId: 'f'.repeat(32), stream: 'log', offset: 0, data: Buffer.from('x').toString('base64') },
    }),
  );
  await waitFor(() => session.frames.some((f: RawFrame) => f.type === 'log.ack'), {
    what: 'the master to have handled the heartbeats',
    timeoutMs: 15_000,
  });

  const latest = (await nodeInfo(rest, 'noisy')).host as { at: number; cpuPercent: number } | null;
  assert.ok(latest, 'the first heartbeats were accepted');
  assert.ok(latest.cpuPercent < 10, `only the first few of 50 were accepted; the latest is #${latest.cpuPercent}`);
  assert.ok(Math.abs(latest.at - Date.now()) < 60_000, `the sample time was clamped to now, got ${latest.at}`);
  // What is stored: a handful of samples, none from tomorrow.
  const stored = await waitFor(
    async () => {
      const s = (await rest.get('/api/v1/nodes/noisy/metrics')).samples as { at: number; cpuPercent: number }[];
      return s.length > 0 ? s : undefined;
    },
    { what: 'the accepted samples to be stored', timeoutMs: 15_000 },
  );
  assert.ok(stored.length < 10, `${stored.length} samples stored of 50 sent`);
  for (const s of stored) assert.ok(s.at < sentAt + 60_000, `no sample from the future: ${s.at}`);
});
