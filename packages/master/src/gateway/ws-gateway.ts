/**
 * The agent gateway: owns the WebSocket server on the HTTP upgrade of AGENT_WS_PATH, admits upgrades (path,
 * subprotocol, a cap on unauthenticated connections), hands each socket to serveAgent (handshake, then typed
 * messages to GatewayHandlers), and drops silent agents. It knows nothing about jobs itself.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { WebSocketServer } from 'ws';
import { AGENT_WS_PATH, MAX_FRAME_BYTES, WS_SUBPROTOCOL } from '@scrapyard/protocol';
import type { NodeAuthenticator } from '../auth/node-auth.js';
import type { AgentRegistry } from '../registry/registry.js';
import { serveAgent, type ConnectionDeps } from './agent-connection.js';
import { sessionHandlers } from './session-handlers.js';
import type { GatewayHandlers, OnAuthenticated } from './gateway-handlers.js';
import { PendingHandshakes, refuseUpgrade } from './upgrade-gate.js';

export type { GatewayHandlers, OnAuthenticated } from './gateway-handlers.js';

/** Default cap on connections upgraded but not yet welcomed (`max_pending_handshakes`). */
export const DEFAULT_MAX_PENDING_HANDSHAKES = 64;
/** A flood of refused upgrades is logged once per this interval, with a count. */
const OVERLOAD_LOG_INTERVAL_MS = 10_000;

export class WsGateway {
  readonly #wss: WebSocketServer;
  readonly #log: Logger;
  readonly #registry: AgentRegistry;
  readonly #heartbeatTimeoutMs: number;
  /** What every connection needs, shared: one object, not one per socket. */
  readonly #deps: ConnectionDeps;
  readonly #now: () => number;
  readonly #pending: PendingHandshakes;
  #refusedSinceLog = 0;
  #lastOverloadLog = 0;
  #sweep: NodeJS.Timeout | undefined;

  constructor(opts: {
    logger: Logger;
    registry: AgentRegistry;
    auth: NodeAuthenticator;
    handlers: GatewayHandlers;
    onAuthenticated: OnAuthenticated;
    heartbeatTimeoutMs: number;
    maxPendingHandshakes?: number;
    now?: () => number;
  }) {
    this.#log = opts.logger.child({ component: 'ws-gateway' });
    this.#registry = opts.registry;
    this.#heartbeatTimeoutMs = opts.heartbeatTimeoutMs;
    this.#now = opts.now ?? Date.now;
    this.#deps = {
      log: this.#log,
      registry: opts.registry,
      auth: opts.auth,
      handlers: opts.handlers,
      onAuthenticated: opts.onAuthenticated,
      heartbeatTimeoutMs: opts.heartbeatTimeoutMs,
      now: this.#now,
      sessionHandlers: sessionHandlers(opts.handlers),
    };
    this.#pending = new PendingHandshakes(opts.maxPendingHandshakes ?? DEFAULT_MAX_PENDING_HANDSHAKES);
    this.#wss = new WebSocketServer({
      noServer: true,
      maxPayload: MAX_FRAME_BYTES,
      handleProtocols: (protocols) => (protocols.has(WS_SUBPROTOCOL) ? WS_SUBPROTOCOL : false),
    });
  }

  attach(server: Server | HttpsServer): void {
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.#onUpgrade(req, socket, head));
    // Silent agents are dropped after the heartbeat timeout; their sockets may be half-open.
    this.#sweep = setInterval(() => this.#dropSilent(), Math.min(1_000, this.#heartbeatTimeoutMs / 2)).unref();
  }

  async close(): Promise<void> {
    clearInterval(this.#sweep);
    for (const s of this.#registry.all()) s.close(1001, 'master shutting down');
    for (const ws of this.#wss.clients) ws.terminate();
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
  }

  #onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = (req.url ?? '').split('?')[0];
    if (path !== AGENT_WS_PATH) return refuseUpgrade(socket, 'NOT_FOUND', 'no WebSocket endpoint at this path');
    // `ws` consults handleProtocols only when the client offers a subprotocol: refuse one that offers none.
    const offered = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
    if (!offered.includes(WS_SUBPROTOCOL)) {
      return refuseUpgrade(socket, 'BAD_REQUEST', `the agent gateway speaks only the ${WS_SUBPROTOCOL} subprotocol`);
    }
    const release = this.#pending.acquire();
    if (!release) {
      this.#noteOverload(req);
      return refuseUpgrade(
        socket,
        'OVERLOADED',
        `too many agent handshakes in progress (max_pending_handshakes = ${this.#pending.max}): retry shortly`,
      );
    }
    // Released at welcome, or when the socket goes, whichever comes first (also if `ws` refuses the upgrade). At
    // welcome the close listener goes too: a welcomed socket keeps nothing of its handshake.
    const done = () => {
      socket.removeListener('close', done);
      release();
    };
    socket.once('close', done);
    this.#wss.handleUpgrade(req, socket, head, (ws) => serveAgent(ws, req, this.#deps, done));
  }

  #noteOverload(req: IncomingMessage): void {
    this.#refusedSinceLog++;
    const now = this.#now();
    if (now - this.#lastOverloadLog < OVERLOAD_LOG_INTERVAL_MS) return;
    this.#log.warn(
      { remote: req.socket.remoteAddress, refused: this.#refusedSinceLog, max: this.#pending.max },
      'agent upgrades refused: too many handshakes in progress',
    );
    this.#lastOverloadLog = now;
    this.#refusedSinceLog = 0;
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
}
