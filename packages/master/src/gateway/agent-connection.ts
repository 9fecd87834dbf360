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
  isKnownType,
  parseEnvelope,
  validateMessage,
  type Envelope,
  type ErrorCode,
  type HandlerMap,
  type Hello,
  type Identify,
  type MessageInputOf,
} from '@scrapyard/protocol';
import { AgentSession } from '../registry/agent-session.js';
import type { NodeAuthenticator } from '../auth/node-auth.js';
import type { AgentRegistry } from '../registry/registry.js';
import type { GatewayHandlers, OnAuthenticated } from './gateway-handlers.js';
import { abandonedBeforeReconciling, checkHello, checkIdentify, helloProblem, versionMismatch } from './handshake.js';
import { OrderedFrames } from './ordered-frames.js';
import { isSessionMessage, runSessionMessage, type SessionMessageType } from './session-handlers.js';

export interface ConnectionDeps {
  log: Logger;
  registry: AgentRegistry;
  auth: NodeAuthenticator;
  handlers: GatewayHandlers;
  onAuthenticated: OnAuthenticated;
  heartbeatTimeoutMs: number;
  now: () => number;
  /** The session messages' handler map (one per gateway: it holds no per-connection state). */
  sessionHandlers: HandlerMap<AgentToMaster, AgentSession, SessionMessageType>;
}

type Phase = 'identify' | 'hello' | 'ready' | 'closed';

/**
 * Serves one agent socket until it closes. `d` is shared by every connection of a gateway; `onHandshakeDone` is
 * called once the handshake is over (welcomed or not): this socket no longer counts as pending.
 */
export function serveAgent(ws: WebSocket, req: IncomingMessage, d: ConnectionDeps, onHandshakeDone: () => void): void {
  new AgentConnection(ws, req.socket.remoteAddress ?? 'unknown', d, onHandshakeDone).start();
}

/** The connection each socket serves: the socket's listeners are shared functions that look their connection up. */
const connections = new WeakMap<WebSocket, AgentConnection>();

/**
 * One connection's state. Its behaviour lives on the prototype rather than in per-socket closures, and what only
 * the handshake needs is dropped at welcome: a master holds ten thousand of these (bench agents10k), and each
 * closure, timer or nonce kept would be allocated ten thousand times.
 */
class AgentConnection extends OrderedFrames {
  /** Until the handshake is over. */
  #serverNonce: string | undefined = randomBytes(32).toString('hex');
  #phase: Phase = 'identify';
  /** Until the handshake is over. */
  #identity: Identify | undefined;
  #session: AgentSession | undefined;
  /** The session being welcomed: closed with the socket, so the reconciliation of its hello stops with it. */
  #handshaking: AgentSession | undefined;
  #timeout: NodeJS.Timeout | undefined;
  #onHandshakeDone: (() => void) | undefined;

  constructor(
    private readonly ws: WebSocket,
    private readonly remote: string,
    private readonly d: ConnectionDeps,
    onHandshakeDone: () => void,
  ) {
    super();
    this.#onHandshakeDone = onHandshakeDone;
  }

  static #onMessage(this: WebSocket, data: Buffer, isBinary: boolean): void {
    const c = connections.get(this);
    if (c) c.enqueue(data, isBinary);
  }

  static #onSocketClose(this: WebSocket): void {
    const c = connections.get(this);
    if (c) c.#onClose();
  }

  static #onSocketError(this: WebSocket, e: Error): void {
    const c = connections.get(this);
    c?.d.log.warn({ err: e, remote: c.remote }, 'agent socket error');
  }

  static #onHandshakeTimeout(ws: WebSocket): void {
    ws.close(4002, 'handshake timeout');
  }

  start(): void {
    const { ws } = this;
    connections.set(ws, this);
    this.#timeout = setTimeout(AgentConnection.#onHandshakeTimeout, HANDSHAKE_TIMEOUT_MS, ws);
    ws.on('message', AgentConnection.#onMessage);
    ws.on('close', AgentConnection.#onSocketClose);
    ws.on('error', AgentConnection.#onSocketError);
    this.#send('challenge', { nonce: this.#serverNonce!, protocolVersion: PROTOCOL_VERSION, serverTime: this.d.now() });
  }

  protected frameFailed(e: unknown): void {
    this.d.log.error({ err: e, nodeId: this.#session?.nodeId }, 'error handling agent message');
  }

  /** The handshake is over (welcomed or not): forget what only it needed, and release its pending slot. */
  #handshakeOver(): void {
    clearTimeout(this.#timeout);
    this.#timeout = undefined;
    this.#serverNonce = undefined;
    this.#identity = undefined;
    this.#handshaking = undefined;
    const done = this.#onHandshakeDone;
    this.#onHandshakeDone = undefined;
    done?.();
  }

  #send<K extends keyof MasterToAgent & string>(type: K, payload: MessageInputOf<MasterToAgent, K>): void {
    this.ws.send(encodeEnvelope({ type, payload: validateMessage(MasterToAgent, type, payload) }));
  }

  #reject(code: ErrorCode, message: string): undefined {
    if (this.#phase === 'closed') return;
    this.#phase = 'closed';
    const nodeId = this.#identity?.nodeId ?? this.#session?.nodeId;
    this.d.log.warn({ remote: this.remote, code, nodeId }, `agent rejected: ${message}`);
    this.#send('rejected', { code, message });
    this.#session?.markClosed();
    this.ws.close(4003, code);
  }

  /** The hello of a pre-v3 agent (no `identify`) carried its protocol version: say so rather than "bad frame". */
  #identifyExpected(env: Envelope): void {
    const v = (env.payload as { protocolVersion?: unknown } | null)?.protocolVersion;
    if (env.type === 'hello' && typeof v === 'number' && v !== PROTOCOL_VERSION) {
      const r = versionMismatch(v);
      return this.#reject(r.code, r.message);
    }
    return this.#reject('PROTOCOL_ERROR', 'first message must be identify');
  }

  /** Re-checks the credential: a revoke, re-registration or rotation may land while the handshake awaits. */
  #stillValid(hello: Hello): boolean {
    if (this.#phase === 'closed') return false;
    const v = checkHello(this.#identity!, hello, this.#serverNonce!, this.d.now(), this.d.auth);
    if (!v.ok) this.#reject(v.code, v.message);
    return v.ok;
  }

  async #authenticate(hello: Hello): Promise<AgentSession | undefined> {
    const { d } = this;
    const id = this.#identity!;
    const verdict = checkHello(id, hello, this.#serverNonce!, d.now(), d.auth);
    if (!verdict.ok) {
      this.#reject(verdict.code, verdict.message);
      return undefined;
    }
    const sessionToken = randomBytes(32).toString('hex');
    const s = new AgentSession({
      nodeId: id.nodeId,
      kind: verdict.kind,
      slots: hello.slots,
      tags: hello.tags,
      dedicated: hello.dedicated,
      hostname: hello.hostname,
      address: this.remote,
      agentVersion: hello.agentVersion,
      socket: this.ws,
      sessionToken,
      now: d.now(),
    });
    this.#handshaking = s;
    await d.onAuthenticated(s, { rotated: verdict.rotated });
    if (!this.#stillValid(hello)) {
      if (s.closed) abandonedBeforeReconciling(d.log, s, hello);
      return undefined;
    }
    const extra = await d.handlers.prepareWelcome(s, hello);
    // Revocation closes the sessions in the registry: this one joins it in the same turn as this last check.
    if (!this.#stillValid(hello)) return undefined;
    s.send('welcome', {
      nodeId: id.nodeId,
      sessionToken,
      // At least three beats fit in the timeout, so one lost or late beat never takes a node offline.
      heartbeatIntervalMs: Math.max(500, Math.min(HEARTBEAT_INTERVAL_MS, Math.floor(d.heartbeatTimeoutMs / 3))),
      ...extra,
    });
    d.registry.add(s);
    d.log.info(
      {
        nodeId: id.nodeId,
        kind: verdict.kind,
        remote: this.remote,
        slots: hello.slots,
        tags: hello.tags,
        dedicated: hello.dedicated,
      },
      'agent connected',
    );
    return s;
  }

  async #onHandshakeFrame(env: Envelope): Promise<void> {
    // Exactly identify, then hello: no replies, no session messages, nothing twice.
    if (env.replyTo !== undefined || !isKnownType(AgentToMaster, env.type)) {
      return this.#reject('PROTOCOL_ERROR', `unexpected ${env.type} frame during the handshake`);
    }
    if (this.#phase === 'identify') {
      if (env.type !== 'identify') return this.#identifyExpected(env);
      const parsed = AgentToMaster.identify.message.safeParse(env.payload);
      if (!parsed.success) return this.#reject('PROTOCOL_ERROR', 'malformed identify');
      const verdict = checkIdentify(parsed.data, this.#serverNonce!, this.d.auth);
      if (!verdict.ok) return this.#reject(verdict.code, verdict.message);
      this.#identity = parsed.data;
      this.#phase = 'hello';
      return this.#send('master.proof', { proofs: verdict.proofs });
    }
    if (env.type !== 'hello') {
      return this.#reject('PROTOCOL_ERROR', `expected hello after master.proof, got ${env.type}`);
    }
    const parsed = AgentToMaster.hello.message.safeParse(env.payload);
    if (!parsed.success) return this.#reject('PROTOCOL_ERROR', helloProblem(env.payload));
    // authenticate() registers the session only if the socket is still open (a close sets phase to 'closed').
    this.#session = await this.#authenticate(parsed.data);
    if (!this.#session) return;
    this.#phase = 'ready';
    this.#handshakeOver();
  }

  /** Synchronous unless the message's handler is (a heartbeat is not): see OrderedFrames. */
  #onSessionFrame(s: AgentSession, env: Envelope): Promise<void> | undefined {
    // A session declared offline is done: what it still says is resent on its next connection.
    if (s.closed) return;
    s.lastSeen = this.d.now();
    if (env.replyTo !== undefined) {
      s.settleReply(env.replyTo, env.payload);
      return;
    }
    if (!isKnownType(AgentToMaster, env.type)) {
      this.d.log.warn({ nodeId: s.nodeId, type: env.type }, 'ignoring unknown message type');
      return;
    }
    if (!isSessionMessage(env.type)) {
      return this.#reject('PROTOCOL_ERROR', `${env.type} is only valid in the handshake`);
    }
    return runSessionMessage(this.d.sessionHandlers, env.type, env.payload, s);
  }

  protected handleFrame(data: Buffer, isBinary: boolean): Promise<void> | undefined {
    if (this.#phase === 'closed') return;
    if (isBinary) return this.#reject('PROTOCOL_ERROR', 'binary frames are not part of the protocol');
    let env: Envelope;
    try {
      env = parseEnvelope(data.toString());
    } catch (e) {
      return this.#reject('PROTOCOL_ERROR', (e as Error).message);
    }
    return this.#phase === 'ready' ? this.#onSessionFrame(this.#session!, env) : this.#onHandshakeFrame(env);
  }

  #onClose(): void {
    this.#phase = 'closed';
    this.#handshaking?.markClosed();
    this.#handshakeOver();
    connections.delete(this.ws);
    const session = this.#session;
    if (session) {
      session.markClosed();
      this.d.registry.remove(session);
      this.d.log.info({ nodeId: session.nodeId }, 'agent disconnected');
    }
  }
}
