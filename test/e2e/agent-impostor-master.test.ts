/**
 * The handshake is mutual: a real, registered agent pointed at an impostor master (a WebSocket server on
 * 127.0.0.1 speaking our protocol without the node's key) refuses it before saying anything that matters. The
 * impostor tries three ways in: a proof made with the wrong key, no proof at all (straight to welcome), and a job
 * right after the challenge; every time it also pushes a job.assign. The agent sends nothing but its identify
 * (node id and a nonce), logs why it refused, records and runs no job; then it works with the real master.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { test } from 'node:test';
import { WebSocketServer, type WebSocket } from 'ws';
import { AGENT_WS_PATH, PROTOCOL_VERSION, WS_SUBPROTOCOL, serverProof } from '@scrapyard/protocol';
import { crawlPids, queryAgentDb, startAgent } from '../helpers/agents.js';
import { startCluster } from '../helpers/cluster.js';
import { waitFor } from '../helpers/wait.js';

type Behaviour = 'wrong-key' | 'no-proof' | 'assign-first';
const BEHAVIOURS: Behaviour[] = ['wrong-key', 'no-proof', 'assign-first'];

interface Seen {
  behaviour: Behaviour;
  frames: { type: string; payload: Record<string, unknown> }[];
}

/** A job the impostor would like the agent to run (valid, so only the agent's refusal stops it). */
const assign = () => ({
  type: 'job.assign',
  payload: {
    job: {
      runId: randomBytes(16).toString('hex'),
      jobId: 'planted',
      project: 'demo',
      spider: 'quick',
      version: null,
      eggDigest: null,
      eggSize: 0,
      settingsModule: 'demo.settings',
      requirements: [],
      settings: [],
      args: [['_job', 'planted']],
      log: true,
      items: false,
      feedUri: null,
      pinnedVersion: null,
    },
  },
});

const welcome = (nodeId: string) => ({
  type: 'welcome',
  payload: { nodeId, sessionToken: 'i'.repeat(64), heartbeatIntervalMs: 1000, resume: [], cancel: [] },
});

async function startImpostor() {
  const server = createServer();
  const wss = new WebSocketServer({
    server,
    path: AGENT_WS_PATH,
    handleProtocols: (p) => (p.has(WS_SUBPROTOCOL) ? WS_SUBPROTOCOL : false),
  });
  const seen: Seen[] = [];
  wss.on('connection', (ws: WebSocket) => {
    const behaviour = BEHAVIOURS[seen.length % BEHAVIOURS.length]!;
    const record: Seen = { behaviour, frames: [] };
    seen.push(record);
    const serverNonce = randomBytes(32).toString('hex');
    const send = (f: unknown) => ws.send(JSON.stringify(f));
    send({
      type: 'challenge',
      payload: { nonce: serverNonce, protocolVersion: PROTOCOL_VERSION, serverTime: Date.now() },
    });
    if (behaviour === 'assign-first') send(assign());
    ws.on('message', (data: Buffer) => {
      const f = JSON.parse(data.toString()) as Seen['frames'][number];
      record.frames.push(f);
      if (f.type !== 'identify') return;
      const nodeId = String(f.payload.nodeId);
      if (behaviour === 'wrong-key') {
        // What a master that doesn't hold the node's stored key can do: prove some other key.
        const wrong = randomBytes(32).toString('hex');
        const proof = serverProof(wrong, serverNonce, String(f.payload.nonce), nodeId);
        send({ type: 'master.proof', payload: { proofs: [proof, proof] } });
      }
      send(welcome(nodeId));
      send(assign());
    });
    ws.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    async close() {
      for (const c of wss.clients) c.terminate();
      await new Promise<void>((r) => wss.close(() => r()));
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

void test('an agent refuses a master that cannot prove it holds the node key, and takes no job from it', async (t) => {
  const cluster = await startCluster(t);
  // Registered with the real master (credential on disk), then stopped.
  const registered = await startAgent(t, { master: cluster.master, nodeId: 'victim' });
  await registered.stop();

  const impostor = await startImpostor();
  t.after(() => impostor.close());
  const fooled = await startAgent(t, {
    master: { url: impostor.url },
    dataDir: registered.dataDir,
    waitConnected: false,
  });
  // Each behaviour at least once (the agent redials after every refusal), unless it was fooled.
  await waitFor(() => impostor.seen.length > BEHAVIOURS.length || /connected to master/.test(fooled.currentOutput()), {
    timeoutMs: 60_000,
    what: 'three impostor attempts',
  });
  await fooled.stop();
  for (const s of impostor.seen) {
    // The agent said who it is and nothing else: no proof, no hostname, tags or run ids, and no replies.
    assert.deepEqual(
      s.frames.map((f) => f.type),
      ['identify'],
      `${s.behaviour}: ${JSON.stringify(s.frames)}`,
    );
    for (const f of s.frames) {
      assert.deepEqual(Object.keys(f.payload).sort(), ['nodeId', 'nonce', 'protocolVersion', 'temporary']);
    }
  }
  assert.doesNotMatch(fooled.output(), /crawl started/);
  assert.doesNotMatch(fooled.output(), /connected to master/);
  assert.match(fooled.output(), /"code":"MASTER_AUTH_FAILED"[^\n]*refusing the master/, 'the wrong proof is refused');
  assert.match(fooled.output(), /"code":"PROTOCOL_ERROR"[^\n]*refusing the master/, 'a skipped proof is refused');
  assert.deepEqual(queryAgentDb(fooled, 'SELECT run_id FROM runs'), [], 'no job was recorded');
  assert.deepEqual(queryAgentDb(fooled, 'SELECT seq FROM outbox'), [], 'no event was produced');
  assert.deepEqual(crawlPids(fooled), []);

  // The same agent, pointed at the real master again, connects as before.
  const back = await startAgent(t, { master: cluster.master, dataDir: registered.dataDir });
  assert.equal(back.nodeId, 'victim');
});
