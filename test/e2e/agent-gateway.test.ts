/**
 * The agent gateway refuses anything that is not a well-behaved, authenticated agent: no subprotocol, garbage
 * frames, a wrong MAC, a stale timestamp (replay), a newer protocol; and the egg route wants a session token.
 * A raw protocol peer plays the bad agent against a real master.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import WebSocket from 'ws';
import { AGENT_WS_PATH, PROTOCOL_VERSION, WS_SUBPROTOCOL } from '@scrapyard/protocol';
import { ScrapydClient } from '../helpers/clients.js';
import { startMaster } from '../helpers/processes.js';

interface Outcome {
  frames: { type: string; payload: Record<string, unknown> }[];
  closeCode: number;
}

/** How long a raw peer waits for the gateway's verdict: a gateway that never answers fails the test, not CI. */
const PEER_TIMEOUT_MS = 15_000;

/** Opens a socket, answers the challenge with `hello(nonce)` (or raw text), and collects frames until close. */
function misbehave(url: string, answer: (nonce: string) => string): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, WS_SUBPROTOCOL);
    const frames: Outcome['frames'] = [];
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error(`the gateway did not close within ${PEER_TIMEOUT_MS} ms; frames: ${JSON.stringify(frames)}`));
    }, PEER_TIMEOUT_MS);
    ws.on('message', (data) => {
      const env = JSON.parse(data.toString()) as Outcome['frames'][number];
      frames.push(env);
      if (env.type === 'challenge') ws.send(answer(String(env.payload.nonce)));
    });
    ws.on('close', (code) => {
      clearTimeout(timer);
      resolve({ frames, closeCode: code });
    });
    ws.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

/** The outcome of an upgrade without our subprotocol: the error `ws` reports, or a failure if it opened. */
function upgradeWithoutSubprotocol(url: string): Promise<Error> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error(`no answer to the upgrade within ${PEER_TIMEOUT_MS} ms`));
    }, PEER_TIMEOUT_MS);
    ws.on('open', () => {
      clearTimeout(timer);
      ws.terminate();
      reject(new Error('the gateway accepted a client without the scrapyard subprotocol'));
    });
    ws.on('error', (e) => {
      clearTimeout(timer);
      resolve(e);
    });
  });
}

const hello = (over: Record<string, unknown>) =>
  JSON.stringify({
    type: 'hello',
    payload: {
      nodeId: 'local',
      protocolVersion: PROTOCOL_VERSION,
      agentVersion: 'test',
      timestamp: Date.now(),
      mac: 'ab'.repeat(32),
      hostname: 'evil',
      slots: 1,
      tags: [],
      running: [],
      known: [],
      ...over,
    },
  });

void test('the gateway rejects unauthenticated or malformed agents, and eggs need a session token', async (t) => {
  const master = await startMaster(t);
  const wsUrl = `${master.url.replace('http', 'ws')}${AGENT_WS_PATH}`;

  const rejected = async (answer: (nonce: string) => string, code: string) => {
    const r = await misbehave(wsUrl, answer);
    const last = r.frames.at(-1)!;
    assert.equal(last.type, 'rejected');
    assert.equal(last.payload.code, code);
    assert.equal(r.closeCode, 4003);
  };
  await rejected(() => hello({}), 'BAD_CREDENTIALS');
  await rejected(() => hello({ timestamp: Date.now() - 60 * 60_000 }), 'CLOCK_SKEW');
  await rejected(() => hello({ protocolVersion: PROTOCOL_VERSION + 1 }), 'PROTOCOL_VERSION');
  await rejected(() => 'not json', 'PROTOCOL_ERROR');
  await rejected(() => JSON.stringify({ type: 'heartbeat', payload: { running: 0, at: 1 } }), 'PROTOCOL_ERROR');
  await rejected(() => hello({ nodeId: '../etc' }), 'PROTOCOL_ERROR');
  // Temporary (unregistered) nodes are off unless the admin turns them on.
  await rejected(() => hello({ nodeId: 'drifter', temporary: true }), 'TEMPORARY_NODES_OFF');

  // A client that doesn't speak our subprotocol is refused at the upgrade.
  assert.match((await upgradeWithoutSubprotocol(wsUrl)).message, /Unexpected server response: 400/);

  const api = new ScrapydClient(master.url);
  const egg = await api.raw('GET', `/agent/v1/eggs/${'0'.repeat(64)}`);
  assert.equal(egg.status, 401);
  assert.deepEqual(egg.json, { error: { code: 'UNAUTHORIZED', message: 'missing or invalid agent session token' } });
  const forged = await api.raw('GET', `/agent/v1/eggs/${'0'.repeat(64)}`, {
    headers: { authorization: `Bearer ${'f'.repeat(64)}` },
  });
  assert.equal(forged.status, 401);

  // The real embedded agent is still connected and working after all that.
  assert.equal((await api.get('daemonstatus.json')).status, 'ok');
  assert.doesNotMatch(master.output(), /agent disconnected/);
});
