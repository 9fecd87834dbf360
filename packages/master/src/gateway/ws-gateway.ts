/**
 * The agent gateway: owns the WebSocket server on the HTTP upgrade of AGENT_WS_PATH, runs the handshake, turns
 * frames into typed calls on GatewayHandlers, and tracks liveness. It knows nothing about jobs itself.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  AGENT_WS_PATH,
  AgentToMaster,
  HANDSHAKE_TIMEOUT_MS,
  HEARTBEAT_INTERVAL_MS,
  MAX_FRAME_BYTES,
  PROTOCOL_VERSION,
  WS_SUBPROTOCOL,
  encodeEnvelope,
  isKnownType,
  parseEnvelope,
  validateMessage,
  type Heartbeat,
  type Hello,
  type JobEvents,
  type NodeKind,
  type LogChunk,
  type Welcome,
} from '@scrapyard/protocol';
import { AgentSession } from '../registry/agent-session.js';
import type { NodeAuthenticator } from '../registry/node-auth.js';
import type { AgentRegistry } from '../registry/registry.js';
import { checkHello } from './handshake.js';

export interface GatewayHandlers {
  /** Called after authentication, before the session is announced; returns what goes into WELCOME. */
  prepareWelcome(session: AgentSession, hello: Hello): Promise<Pick<Welcome, 'resume' | 'cancel'>>;
  onEvents(session: AgentSession, msg: JobEvents): Promise<number>;
  onLogChunk(session: AgentSession, chunk: LogChunk): Promise<void>;
  onHeartbeat(session: AgentSession, hb: Heartbeat): void;
}

/** Called once a hello is authenticated, before WELCOME (e.g. to record the node, or finish a key rotation). */
export type OnAuthenticated = (session: AgentSession, o: { rotated: boolean }) => Promise<void>;

export class WsGateway {
  readonly #wss: WebSocketServer;
  readonly #log: Logger;
  readonly #registry: AgentRegistry;
  readonly #auth: NodeAuthenticator;
  readonly #handlers: GatewayHandlers;
  readonly #onAuthenticated: OnAuthenticated;
  readonly #heartbeatTimeoutMs: number;
  readonly #now: () => number;
  #sweep: NodeJS.Timeout | undefined;

  constructor(opts: {
    logger: Logger;
    registry: AgentRegistry;
    auth: NodeAuthenticator;
    handlers: GatewayHandlers;
    onAuthenticated: OnAuthenticated;
    heartbeatTimeoutMs: number;
    now?: () => number;
  }) {
    this.#log = opts.logger.child({ component: 'ws-gateway' });
    this.#registry = opts.registry;
    this.#auth = opts.auth;
    this.#handlers = opts.handlers;
    this.#onAuthenticated = opts.onAuthenticated;
    this.#heartbeatTimeoutMs = opts.heartbeatTimeoutMs;
    this.#now = opts.now ?? Date.now;
    this.#wss = new WebSocketServer({
      noServer: true,
      maxPayload: MAX_FRAME_BYTES,
      handleProtocols: (protocols) => (protocols.has(WS_SUBPROTOCOL) ? WS_SUBPROTOCOL : false),
    });
  }

  attach(server: Server | HttpsServer): void {
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      const path = (req.url ?? '').split('?')[0];
      if (path !== AGENT_WS_PATH) {
        socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      // `ws` consults handleProtocols only when the client offers a subprotocol: refuse one that offers none.
      const offered = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
      if (!offered.includes(WS_SUBPROTOCOL)) {
        socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      this.#wss.handleUpgrade(req, socket, head, (ws) => this.#onConnection(ws, req));
    });
    // Silent agents are dropped after the heartbeat timeout; their sockets may be half-open.
    this.#sweep = setInterval(() => this.#dropSilent(), Math.min(1_000, this.#heartbeatTimeoutMs / 2)).unref();
  }

  async close(): Promise<void> {
    clearInterval(this.#sweep);
    for (const s of this.#registry.all()) s.close(1001, 'master shutting down');
    for (const ws of this.#wss.clients) ws.terminate();
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
  }

  #dropSilent(): void {
    for (const s of this.#registry.all()) {
      if (this.#now() - s.lastSeen > this.#heartbeatTimeoutMs) {
        this.#log.warn({ nodeId: s.nodeId }, 'agent silent past the heartbeat timeout: it is offline');
        s.close(4001, 'heartbeat timeout');
        // Don't wait for a close handshake a dead peer will never answer: the node is offline now.
        this.#registry.remove(s);
      }
    }
  }

  #onConnection(ws: WebSocket, req: IncomingMessage): void {
    const nonce = randomBytes(32).toString('hex');
    const remote = req.socket.remoteAddress ?? 'unknown';
    let session: AgentSession | undefined;
    // Frames are handled strictly in order: a job's log chunks must land before its finish event.
    let chain: Promise<void> = Promise.resolve();
    const timeout = setTimeout(() => ws.close(4002, 'handshake timeout'), HANDSHAKE_TIMEOUT_MS);

    const reject = (code: string, message: string) => {
      this.#log.warn({ remote, code }, `agent rejected: ${message}`);
      ws.send(encodeEnvelope({ type: 'rejected', payload: { code, message } }));
      ws.close(4003, code);
    };

    ws.on('message', (data, isBinary) => {
      chain = chain
        .then(async () => {
          if (isBinary) return reject('PROTOCOL_ERROR', 'binary frames are not part of the protocol');
          let env;
          try {
            env = parseEnvelope(data.toString());
          } catch (e) {
            return reject('PROTOCOL_ERROR', (e as Error).message);
          }
          if (env.replyTo !== undefined) {
            if (session) session.settleReply(env.replyTo, env.payload);
            return;
          }
          if (!isKnownType(AgentToMaster, env.type)) {
            this.#log.warn({ remote, type: env.type }, 'ignoring unknown message type');
            return;
          }
          if (!session) {
            if (env.type !== 'hello') return reject('PROTOCOL_ERROR', 'first message must be hello');
            session = await this.#handshake(ws, env.payload, nonce, remote, reject);
            if (session) clearTimeout(timeout);
            return;
          }
          await this.#dispatch(session, env.type, env.payload);
        })
        .catch((e: unknown) => {
          this.#log.error({ err: e, nodeId: session?.nodeId }, 'error handling agent message');
        });
    });
    ws.on('close', () => {
      clearTimeout(timeout);
      if (session) {
        session.markClosed();
        this.#registry.remove(session);
        this.#log.info({ nodeId: session.nodeId }, 'agent disconnected');
      }
    });
    ws.on('error', (e) => this.#log.warn({ err: e, remote }, 'agent socket error'));
    ws.send(
      encodeEnvelope({
        type: 'challenge',
        payload: { nonce, protocolVersion: PROTOCOL_VERSION, serverTime: this.#now() },
      }),
    );
  }

  async #handshake(
    ws: WebSocket,
    payload: unknown,
    nonce: string,
    remote: string,
    reject: (code: string, message: string) => void,
  ): Promise<AgentSession | undefined> {
    let hello: Hello;
    try {
      hello = validateMessage(AgentToMaster, 'hello', payload);
    } catch {
      reject('PROTOCOL_ERROR', 'malformed hello');
      return undefined;
    }
    const verdict = checkHello(hello, nonce, this.#now(), this.#auth);
    if (!verdict.ok) {
      reject(verdict.code, verdict.message);
      return undefined;
    }
    const session = new AgentSession({
      nodeId: hello.nodeId,
      kind: verdict.kind satisfies NodeKind,
      slots: hello.slots,
      tags: hello.tags,
      dedicated: hello.dedicated,
      hostname: hello.hostname,
      address: remote,
      agentVersion: hello.agentVersion,
      socket: ws,
      sessionToken: randomBytes(32).toString('hex'),
      now: this.#now(),
    });
    await this.#onAuthenticated(session, { rotated: verdict.rotated });
    const extra = await this.#handlers.prepareWelcome(session, hello);
    session.send('welcome', {
      nodeId: hello.nodeId,
      sessionToken: session.sessionToken,
      // At least three beats fit in the timeout, so one lost or late beat never takes a node offline.
      heartbeatIntervalMs: Math.max(500, Math.min(HEARTBEAT_INTERVAL_MS, Math.floor(this.#heartbeatTimeoutMs / 3))),
      ...extra,
    });
    this.#registry.add(session);
    this.#log.info(
      {
        nodeId: hello.nodeId,
        kind: verdict.kind,
        remote,
        slots: hello.slots,
        tags: hello.tags,
        dedicated: hello.dedicated,
      },
      'agent connected',
    );
    return session;
  }

  async #dispatch(session: AgentSession, type: keyof AgentToMaster, payload: unknown): Promise<void> {
    // A session declared offline is done: what it still says is resent on its next connection.
    if (session.closed) return;
    session.lastSeen = this.#now();
    switch (type) {
      case 'hello':
        return;
      case 'heartbeat':
        this.#handlers.onHeartbeat(session, validateMessage(AgentToMaster, 'heartbeat', payload));
        return;
      case 'job.events': {
        const msg = validateMessage(AgentToMaster, 'job.events', payload);
        const upToSeq = await this.#handlers.onEvents(session, msg);
        session.send('events.ack', { upToSeq });
        return;
      }
      case 'log.chunk':
        return this.#handlers.onLogChunk(session, validateMessage(AgentToMaster, 'log.chunk', payload));
    }
  }
}
