/**
 * An agent's hello is bounded work for the master: a hello listing more runs than HELLO_MAX_RUNS is refused with a
 * message that says so, and the reconciliation of an allowed one (runs looked up in batches) stops when its
 * connection is gone instead of going on for a socket nobody will welcome. A raw protocol peer plays the agent.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import WebSocket from 'ws';
import { AGENT_WS_PATH, HELLO_MAX_RUNS, WS_SUBPROTOCOL } from '@scrapyard/protocol';
import { logRecords } from '../helpers/cluster.js';
import { startMaster } from '../helpers/processes.js';
import { helloFrame, identifyFrame, rawHandshake, type RawFrame } from '../helpers/raw-agent.js';
import { waitFor } from '../helpers/wait.js';

const SECRET = 'hello-bounds-temporary-secret-0123456789';
const runIds = (n: number) => Array.from({ length: n }, () => randomBytes(16).toString('hex'));
const STOPPED = 'agent hello: the connection closed during reconciliation; stopped';

async function temporaryNodesMaster(t: Parameters<typeof startMaster>[0]) {
  const master = await startMaster(t, {
    args: ['--no-local-agent'],
    env: { SCRAPYARD_TEMPORARY_NODES: 'on', SCRAPYARD_TEMPORARY_NODE_SECRET: SECRET },
  });
  return { master, ws: `${master.url.replace('http', 'ws')}${AGENT_WS_PATH}` };
}

void test('a hello listing more runs than the protocol allows is refused, saying so', async (t) => {
  const { master, ws } = await temporaryNodesMaster(t);
  const secret = Buffer.from(SECRET, 'utf8');
  const huge = await rawHandshake(ws, { nodeId: 'huge', secret, temporary: true, hello: { known: runIds(100_000) } });
  assert.equal(huge.verdict, 'PROTOCOL_ERROR', JSON.stringify(huge.frames.map((f) => f.type)));
  const rejected = huge.frames.at(-1)!;
  assert.match(
    String(rejected.payload.message),
    new RegExp(`it lists 100000 known runs; at most ${HELLO_MAX_RUNS} are accepted`),
  );
  assert.equal(huge.closeCode, 4003);
  // The bound itself is accepted and fully reconciled.
  const full = await rawHandshake(ws, {
    nodeId: 'full',
    secret,
    temporary: true,
    hello: { known: runIds(HELLO_MAX_RUNS) },
  });
  assert.equal(full.verdict, 'welcome', JSON.stringify(full.frames.map((f) => f.type)));
  const welcome = full.frames.find((f) => f.type === 'welcome')!;
  assert.deepEqual(welcome.payload.resume, [], 'runs the master does not know have nothing to resume');
  assert.deepEqual(logRecords(master.output(), STOPPED), []);
});

void test('the reconciliation of a large hello stops when its connection closes', async (t) => {
  const { master, ws: url } = await temporaryNodesMaster(t);
  const secret = Buffer.from(SECRET, 'utf8');
  const clientNonce = randomBytes(32).toString('hex');
  const known = runIds(HELLO_MAX_RUNS);
  // The agent sends its hello and is gone at once (crashed, or its handshake timed out).
  const frames: RawFrame[] = [];
  await new Promise<void>((resolve, reject) => {
    const ws = new WebSocket(url, WS_SUBPROTOCOL);
    ws.on('message', (data: Buffer) => {
      const f = JSON.parse(data.toString()) as RawFrame;
      frames.push(f);
      if (f.type === 'challenge') ws.send(JSON.stringify(identifyFrame('gone', clientNonce, { temporary: true })));
      else if (f.type === 'master.proof') {
        const serverNonce = String(frames[0]!.payload.nonce);
        ws.send(JSON.stringify(helloFrame({ secret, nodeId: 'gone', serverNonce, clientNonce, over: { known } })), () =>
          ws.terminate(),
        );
      }
    });
    ws.on('close', () => resolve());
    ws.on('error', reject);
  });
  assert.deepEqual(
    frames.map((f) => f.type),
    ['challenge', 'master.proof'],
  );
  const stopped = await waitFor(() => logRecords(master.output(), STOPPED).find((r) => r.nodeId === 'gone'), {
    what: 'the master to stop reconciling the closed connection’s hello',
  });
  t.diagnostic(`stopped after ${String(stopped.reconciled)} of ${String(stopped.runs)} runs`);
  assert.equal(stopped.runs, HELLO_MAX_RUNS);
  assert.ok(Number(stopped.reconciled) < HELLO_MAX_RUNS, `stopped before the end: ${JSON.stringify(stopped)}`);
  assert.doesNotMatch(master.output(), /"nodeId":"gone"[^\n]*agent connected/, 'never welcomed');
});
