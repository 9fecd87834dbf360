/**
 * One agent's socket, from the challenge to the end: the mutual handshake (challenge → identify → master.proof →
 * hello → welcome), strictly in that order, then the session's messages through the typed handler map. Frames are
 * handled one at a time, in order: a job's log chunks must land before its finish event.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import type { WebSocket } from 'ws';
import {
  AgentToMaster,
  HANDSHAKE_TIMEOUT_MS,
  HEARTBEAT_INTERVAL_MS,
  MasterToAgent,
  PROTOCOL_VERSION,
  encodeEnvelope,
  handleMessage,
  isKnownType,
  parseEnvelope,
  validateMessage,
  type Envelope,
  type ErrorCode,
  type Hello,
  type Identify,
  type MessageInputOf,
} from '@scrapyard/protocol';
import { AgentSession } from '../registry/agent-session.js';
import type { NodeAuthenticator } from '../registry/node-auth.js';
import type { AgentRegistry } from '../registry/registry.js';
import type { GatewayHandlers, OnAuthenticated } from './gateway-handlers.js';
import { checkHello, checkIdentify, versionMismatch } from './handshake.js';
import { isSessionMessage, sessionHandlers } from './session-handlers.js';

export interface ConnectionDeps {
  log: Logger;
  registry: AgentRegistry;
  auth: NodeAuthenticator;
  handlers: GatewayHandlers;
  onAuthenticated: OnAuthenticated;
  heartbeatTimeoutMs: number;
  now: () => number;
  /** The handshake is over (welcomed or not): this socket no longer counts as pending. */
  onHandshakeDone: () => void;
}

type Phase = 'identify' | 'hello' | 'ready' | 'closed';

export function serveAgent(ws: WebSocket, req: IncomingMessage, d: ConnectionDeps): void {
  const serverNonce = randomBytes(32).toString('hex');
  const remote = req.socket.remoteAddress ?? 'unknown';
  const handlers = sessionHandlers(d.handlers);
  let phase: Phase = 'identify';
  let identity: Identify | undefined;
  let session: AgentSession | undefined;
  let chain: Promise<void> = Promise.resolve();
  const timeout = setTimeout(() => ws.close(4002, 'handshake timeout'), HANDSHAKE_TIMEOUT_MS);

  const send = <K extends keyof MasterToAgent & string>(type: K, payload: MessageInputOf<MasterToAgent, K>) =>
    ws.send(encodeEnvelope({ type, payload: validateMessage(MasterToAgent, type, payload) }));

  const reject = (code: ErrorCode, message: string) => {
    if (phase === 'closed') return;
    phase = 'closed';
    d.log.warn({ remote, code, nodeId: identity?.nodeId }, `agent rejected: ${message}`);
    send('rejected', { code, message });
    session?.markClosed();
    ws.close(4003, code);
  };

  /** The hello of a pre-v3 agent (no `identify`) carried its protocol version: say so rather than "bad frame". */
  const identifyExpected = (env: Envelope) => {
    const v = (env.payload as { protocolVersion?: unknown } | null)?.protocolVersion;
    if (env.type === 'hello' && typeof v === 'number' && v !== PROTOCOL_VERSION) {
      const r = versionMismatch(v);
      return reject(r.code, r.message);
    }
    return reject('PROTOCOL_ERROR', 'first message must be identify');
  };

  /** Re-checks the credential: a revoke, re-registration or rotation may land while the handshake awaits. */
  const stillValid = (hello: Hello): boolean => {
    if (phase === 'closed') return false;
    const v = checkHello(identity!, hello, serverNonce, d.now(), d.auth);
    if (!v.ok) reject(v.code, v.message);
    return v.ok;
  };

  const authenticate = async (hello: Hello): Promise<AgentSession | undefined> => {
    const id = identity!;
    const verdict = checkHello(id, hello, serverNonce, d.now(), d.auth);
    if (!verdict.ok) {
      reject(verdict.code, verdict.message);
      return undefined;
    }
    const s = new AgentSession({
      nodeId: id.nodeId,
      kind: verdict.kind,
      slots: hello.slots,
      tags: hello.tags,
      dedicated: hello.dedicated,
      hostname: hello.hostname,
      address: remote,
      agentVersion: hello.agentVersion,
      socket: ws,
      sessionToken: randomBytes(32).toString('hex'),
      now: d.now(),
    });
    await d.onAuthenticated(s, { rotated: verdict.rotated });
    if (!stillValid(hello)) return undefined;
    const extra = await d.handlers.prepareWelcome(s, hello);
    // Revocation closes the sessions in the registry: this one joins it in the same turn as this last check.
    if (!stillValid(hello)) return undefined;
    s.send('welcome', {
      nodeId: id.nodeId,
      sessionToken: s.sessionToken,
      // At least three beats fit in the timeout, so one lost or late beat never takes a node offline.
      heartbeatIntervalMs: Math.max(500, Math.min(HEARTBEAT_INTERVAL_MS, Math.floor(d.heartbeatTimeoutMs / 3))),
      ...extra,
    });
    d.registry.add(s);
    d.log.info(
      {
        nodeId: id.nodeId,
        kind: verdict.kind,
        remote,
        slots: hello.slots,
        tags: hello.tags,
        dedicated: hello.dedicated,
      },
      'agent connected',
    );
    return s;
  };

  const onHandshakeFrame = async (env: Envelope): Promise<void> => {
    // Exactly identify, then hello: no replies, no session messages, nothing twice.
    if (env.replyTo !== undefined || !isKnownType(AgentToMaster, env.type)) {
      return reject('PROTOCOL_ERROR', `unexpected ${env.type} frame during the handshake`);
    }
    if (phase === 'identify') {
      if (env.type !== 'identify') return identifyExpected(env);
      const parsed = AgentToMaster.identify.message.safeParse(env.payload);
      if (!parsed.success) return reject('PROTOCOL_ERROR', 'malformed identify');
      const verdict = checkIdentify(parsed.data, serverNonce, d.auth);
      if (!verdict.ok) return reject(verdict.code, verdict.message);
      identity = parsed.data;
      phase = 'hello';
      return send('master.proof', { proofs: verdict.proofs });
    }
    if (env.type !== 'hello') return reject('PROTOCOL_ERROR', `expected hello after master.proof, got ${env.type}`);
    const parsed = AgentToMaster.hello.message.safeParse(env.payload);
    if (!parsed.success) return reject('PROTOCOL_ERROR', 'malformed hello');
    // authenticate() registers the session only if the socket is still open (a close sets phase to 'closed').
    session = await authenticate(parsed.data);
    if (!session) return;
    phase = 'ready';
    clearTimeout(timeout);
    d.onHandshakeDone();
  };

  const onSessionFrame = async (s: AgentSession, env: Envelope): Promise<void> => {
    // A session declared offline is done: what it still says is resent on its next connection.
    if (s.closed) return;
    s.lastSeen = d.now();
    if (env.replyTo !== undefined) {
      s.settleReply(env.replyTo, env.payload);
      return;
    }
    if (!isKnownType(AgentToMaster, env.type)) {
      d.log.warn({ nodeId: s.nodeId, type: env.type }, 'ignoring unknown message type');
      return;
    }
    if (!isSessionMessage(env.type)) return reject('PROTOCOL_ERROR', `${env.type} is only valid in the handshake`);
    await handleMessage(AgentToMaster, handlers, env.type, env.payload, s);
  };

  const onFrame = async (data: Buffer, isBinary: boolean): Promise<void> => {
    if (phase === 'closed') return;
    if (isBinary) return reject('PROTOCOL_ERROR', 'binary frames are not part of the protocol');
    let env: Envelope;
    try {
      env = parseEnvelope(data.toString());
    } catch (e) {
      return reject('PROTOCOL_ERROR', (e as Error).message);
    }
    return phase === 'ready' ? onSessionFrame(session!, env) : onHandshakeFrame(env);
  };

  ws.on('message', (data: Buffer, isBinary) => {
    chain = chain
      .then(() => onFrame(data, isBinary))
      .catch((e: unknown) => d.log.error({ err: e, nodeId: session?.nodeId }, 'error handling agent message'));
  });
  ws.on('close', () => {
    clearTimeout(timeout);
    phase = 'closed';
    d.onHandshakeDone();
    if (session) {
      session.markClosed();
      d.registry.remove(session);
      d.log.info({ nodeId: session.nodeId }, 'agent disconnected');
    }
  });
  ws.on('error', (e) => d.log.warn({ err: e, remote }, 'agent socket error'));
  send('challenge', { nonce: serverNonce, protocolVersion: PROTOCOL_VERSION, serverTime: d.now() });
}
