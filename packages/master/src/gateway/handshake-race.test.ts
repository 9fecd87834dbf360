/**
 * A node revoked (or re-registered) while its handshake is between the proof check and the welcome must not get
 * in: the real gateway, node administration and SQLite database, a real WebSocket client, and a gate in the
 * handshake's awaits that holds it exactly in that window while the admin acts.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { pino } from 'pino';
import WebSocket from 'ws';
import {
  AGENT_WS_PATH,
  PROTOCOL_VERSION,
  WS_SUBPROTOCOL,
  handshakeProof,
  verifyServerProof,
} from '@scrapyard/protocol';
import { openDatabase } from '../db/database.js';
import { createNodesRepo } from '../db/repos/nodes.js';
import { DomainEvents } from '../events/domain-events.js';
import { NodeCredentials } from '../auth/node-auth.js';
import { AgentRegistry } from '../registry/registry.js';
import { NodeAdmin } from '../auth/node-admin.js';
import type { GatewayHandlers } from './gateway-handlers.js';
import { WsGateway } from './ws-gateway.js';

/** Where the handshake is held: after node administration recorded the sighting, or while the welcome is prepared. */
type Window = 'after-authenticated' | 'in-prepare-welcome';

async function harness(t: TestContext, window: Window) {
  const dir = mkdtempSync(join(tmpdir(), 'scrapyard-race-'));
  const logger = pino({ level: 'silent' });
  const db = await openDatabase({ dataDir: dir });
  const creds = new NodeCredentials(null);
  const events = new DomainEvents({ logger });
  const registry = new AgentRegistry(events);
  const admin = new NodeAdmin({
    repo: createNodesRepo(db),
    creds,
    registry,
    latestHost: () => undefined,
    now: Date.now,
    logger,
    events,
  });
  await admin.start();
  let open: () => void = () => undefined;
  let entered: () => void = () => undefined;
  const gate = { reached: new Promise<void>((r) => (entered = r)), held: new Promise<void>((r) => (open = r)) };
  const hold = async () => {
    entered();
    await gate.held;
  };
  const handlers: GatewayHandlers = {
    prepareWelcome: async () => {
      if (window === 'in-prepare-welcome') await hold();
      return { resume: [], cancel: [] };
    },
    onEvents: () => Promise.resolve(0),
    onLogChunk: () => Promise.resolve(),
    onHeartbeat: () => undefined,
  };
  const gateway = new WsGateway({
    logger,
    registry,
    auth: creds,
    handlers,
    heartbeatTimeoutMs: 15_000,
    onAuthenticated: async (session, o) => {
      await admin.onAuthenticated(session, o);
      if (window === 'after-authenticated') await hold();
    },
  });
  const server: Server = createServer();
  gateway.attach(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  t.after(async () => {
    open();
    await gateway.close();
    await new Promise<void>((r) => server.close(() => r()));
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  });
  const enrolled = async (nodeId: string) => {
    const e = await admin.createEnrollment({ nodeId, ttlSeconds: 60 });
    const r = await admin.register({ enrollKey: e.key, enrollSecret: e.secret, hostname: 'h' }, '127.0.0.1');
    return Buffer.from(r.secret, 'hex');
  };
  return { admin, registry, gate, open, enrolled, url: `ws://127.0.0.1:${port}${AGENT_WS_PATH}` };
}

/** A well-behaved agent's handshake; resolves with 'welcome' or the rejection code. */
function handshake(url: string, nodeId: string, secret: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, WS_SUBPROTOCOL);
    const clientNonce = randomBytes(32).toString('hex');
    let serverNonce = '';
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error('no verdict within 15 s'));
    }, 15_000);
    const verdict = (v: string) => {
      clearTimeout(timer);
      ws.close();
      resolve(v);
    };
    ws.on('message', (data: Buffer) => {
      const f = JSON.parse(data.toString()) as { type: string; payload: Record<string, unknown> };
      if (f.type === 'challenge') {
        serverNonce = String(f.payload.nonce);
        const identify = { nodeId, protocolVersion: PROTOCOL_VERSION, temporary: false, nonce: clientNonce };
        ws.send(JSON.stringify({ type: 'identify', payload: identify }));
      } else if (f.type === 'master.proof') {
        if (!verifyServerProof(secret, f.payload.proofs as string[], serverNonce, clientNonce, nodeId)) {
          return verdict('MASTER_AUTH_FAILED');
        }
        const timestamp = Date.now();
        const mac = handshakeProof(secret, serverNonce, clientNonce, nodeId, timestamp);
        const hello = { agentVersion: 't', timestamp, mac, hostname: 'h', slots: 1, tags: [], running: [], known: [] };
        ws.send(JSON.stringify({ type: 'hello', payload: hello }));
      } else if (f.type === 'welcome') verdict('welcome');
      else if (f.type === 'rejected') verdict(String(f.payload.code));
    });
    ws.on('error', reject);
  });
}

for (const window of ['after-authenticated', 'in-prepare-welcome'] as const) {
  void test(`a revoke landing mid-handshake (${window}) wins, and the node stays refused`, async (t) => {
    const h = await harness(t, window);
    const secret = await h.enrolled('n1');
    const verdict = handshake(h.url, 'n1', secret);
    await h.gate.reached;
    await h.admin.revoke('n1');
    h.open();
    assert.equal(await verdict, 'NODE_REVOKED');
    assert.equal(h.registry.get('n1'), undefined, 'no session was registered for the revoked node');
    assert.equal(await handshake(h.url, 'n1', secret), 'NODE_REVOKED');
  });
}

void test('a node re-registered mid-handshake: the old credential does not get in', async (t) => {
  const h = await harness(t, 'after-authenticated');
  const old = await h.enrolled('n2');
  const verdict = handshake(h.url, 'n2', old);
  await h.gate.reached;
  const fresh = await h.enrolled('n2');
  h.open();
  assert.equal(await verdict, 'BAD_CREDENTIALS');
  assert.equal(h.registry.get('n2'), undefined);
  // The new credential works (the gate is open now).
  assert.equal(await handshake(h.url, 'n2', fresh), 'welcome');
});
