/**
 * The agent gateway refuses anything that is not a well-behaved, authenticated agent: no subprotocol, garbage
 * frames, frames out of the handshake's order, a wrong MAC, a stale timestamp (replay), another protocol; and the
 * egg route wants a session token.
 * A raw protocol peer plays the bad agent against a real master.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import WebSocket from 'ws';
import { randomBytes } from 'node:crypto';
import { AGENT_WS_PATH, PROTOCOL_VERSION, verifyServerProof } from '@scrapyard/protocol';
import { ScrapydClient } from '../helpers/clients.js';
import { startMaster } from '../helpers/processes.js';
import { PEER_TIMEOUT_MS, helloFrame, identifyFrame, rawSession, type RawScript } from '../helpers/raw-agent.js';

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

void test('the gateway rejects unauthenticated or malformed agents, and eggs need a session token', async (t) => {
  const master = await startMaster(t);
  const wsUrl = `${master.url.replace('http', 'ws')}${AGENT_WS_PATH}`;

  const clientNonce = randomBytes(32).toString('hex');
  const rejected = async (script: RawScript, code: string) => {
    const r = await rawSession(wsUrl, script);
    const last = r.frames.at(-1)!;
    assert.equal(last.type, 'rejected', JSON.stringify(r.frames));
    assert.equal(last.payload.code, code);
    assert.equal(r.closeCode, 4003);
    return r;
  };
  const identify =
    (over: Record<string, unknown> = {}) =>
    () =>
      identifyFrame('local', clientNonce, over);
  const hello =
    (o: { secret?: Buffer; timestamp?: number; over?: Record<string, unknown> } = {}) =>
    (_proofs: string[], serverNonce: string) =>
      helloFrame({ secret: o.secret ?? randomBytes(32), nodeId: 'local', serverNonce, clientNonce, ...o });

  // Someone who doesn't hold the embedded agent's key: the master proves nothing to it, and its proof fails.
  const wrongKey = await rejected({ onChallenge: identify(), onProof: hello() }, 'BAD_CREDENTIALS');
  const proofs = wrongKey.frames.find((f) => f.type === 'master.proof')!.payload.proofs as string[];
  assert.equal(proofs.length, 2);
  assert.equal(
    verifyServerProof(randomBytes(32), proofs, String(wrongKey.frames[0]!.payload.nonce), clientNonce, 'local'),
    false,
  );
  await rejected({ onChallenge: identify(), onProof: hello({ timestamp: Date.now() - 60 * 60_000 }) }, 'CLOCK_SKEW');
  await rejected({ onChallenge: identify({ protocolVersion: PROTOCOL_VERSION + 1 }) }, 'PROTOCOL_VERSION');
  // An agent of the previous protocol opens with its hello (which carried its version): told to upgrade.
  await rejected({ onChallenge: () => ({ type: 'hello', payload: { protocolVersion: 2 } }) }, 'PROTOCOL_VERSION');
  await rejected({ onChallenge: () => 'not json' }, 'PROTOCOL_ERROR');
  await rejected({ onChallenge: () => ({ type: 'heartbeat', payload: { running: 0, at: 1 } }) }, 'PROTOCOL_ERROR');
  await rejected({ onChallenge: () => identifyFrame('../etc', clientNonce) }, 'PROTOCOL_ERROR');
  // Out of order: a hello before identify, identify twice, a session message in place of the hello.
  await rejected({ onChallenge: () => hello()([], 'f'.repeat(64)) }, 'PROTOCOL_ERROR');
  await rejected({ onChallenge: identify(), onProof: identify() }, 'PROTOCOL_ERROR');
  await rejected(
    {
      onChallenge: identify(),
      onProof: () => ({ type: 'log.chunk', payload: { runId: 'a'.repeat(32), stream: 'log', offset: 0, data: '' } }),
    },
    'PROTOCOL_ERROR',
  );
  // Temporary (unregistered) nodes are off unless the admin turns them on.
  await rejected(
    { onChallenge: () => identifyFrame('drifter', clientNonce, { temporary: true }) },
    'TEMPORARY_NODES_OFF',
  );

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
