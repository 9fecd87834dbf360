/**
 * The agent's link to the master: dial out (works behind NAT), answer the challenge with an HMAC, then route
 * frames to the agent's parts until the socket drops, and dial again with backoff. One loop; every state change
 * (closed, rejected, stop) goes through it.
 */
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import WebSocket from 'ws';
import {
  AgentToMaster,
  HEARTBEAT_MISS_THRESHOLD,
  MasterToAgent,
  MAX_FRAME_BYTES,
  PROTOCOL_VERSION,
  WS_SUBPROTOCOL,
  encodeEnvelope,
  handshakeProof,
  isKnownType,
  parseEnvelope,
  validateMessage,
  type Heartbeat,
  type MessageInputOf,
  type MessageOf,
  type Welcome,
} from '@scrapyard/protocol';
import { Backoff } from './backoff.js';
import { masterTls } from '../net/http-client.js';

export interface ConnectionHandlers {
  /** What the hello reports: running runs and every run the master may not have heard the end of. */
  helloState(): Pick<MessageOf<AgentToMaster, 'hello'>, 'running' | 'known'>;
  onWelcome(welcome: Welcome): void;
  onMessage(
    type: Exclude<keyof MasterToAgent, 'challenge' | 'welcome' | 'rejected'>,
    payload: unknown,
    reply: (payload: unknown) => void,
  ): void;
  onDisconnect(): void;
  /** Metrics to piggy-back on the next heartbeat, if a fresh sample exists. */
  heartbeatExtras(): Pick<Heartbeat, 'host' | 'jobs'>;
}

/** Socket buffer above which log shipping pauses (backpressure). */
const HIGH_WATER_BYTES = 8 * 1024 * 1024;

export class Connection {
  readonly #log: Logger;
  readonly #backoff = new Backoff();
  #ws: WebSocket | null = null;
  #welcomed = false;
  #stopped = false;
  #retry: NodeJS.Timeout | undefined;
  #heartbeat: NodeJS.Timeout | undefined;
  #sessionToken: string | undefined;
  #lastHeard = 0;
  #nodeKey: Buffer;

  constructor(
    private readonly opts: {
      url: string;
      nodeId: string;
      nodeKey: Buffer;
      temporary: boolean;
      dedicated: boolean;
      ca: Buffer | undefined;
      caIsMasterCert: boolean;
      slots: number;
      tags: string[];
      agentVersion: string;
      logger: Logger;
      handlers: ConnectionHandlers;
      activeCount: () => number;
    },
  ) {
    this.#log = opts.logger.child({ component: 'connection' });
    this.#nodeKey = opts.nodeKey;
  }

  /** A rotated secret: used from the next handshake on. */
  setNodeKey(key: Buffer): void {
    this.#nodeKey = key;
  }

  get connected(): boolean {
    return this.#welcomed && this.#ws?.readyState === WebSocket.OPEN;
  }

  get sessionToken(): string | undefined {
    return this.#sessionToken;
  }

  /** Base URL of the master's HTTP API (same host and port as the gateway). */
  get httpBase(): string {
    const u = new URL(this.opts.url);
    return `${u.protocol === 'wss:' ? 'https:' : 'http:'}//${u.host}`;
  }

  start(): void {
    this.#stopped = false;
    this.#dial();
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#retry);
    clearInterval(this.#heartbeat);
    this.#ws?.close(1001, 'agent stopping');
  }

  /** Sends a message if connected; false when offline or when the socket is backed up. */
  send<K extends keyof AgentToMaster & string>(type: K, payload: MessageInputOf<AgentToMaster, K>): boolean {
    if (!this.connected || !this.#ws) return false;
    if (type === 'log.chunk' && this.#ws.bufferedAmount > HIGH_WATER_BYTES) return false;
    this.#ws.send(encodeEnvelope({ type, payload: validateMessage(AgentToMaster, type, payload) }));
    return true;
  }

  #dial(): void {
    if (this.#stopped) return;
    this.#welcomed = false;
    const ws = new WebSocket(this.opts.url, WS_SUBPROTOCOL, {
      maxPayload: MAX_FRAME_BYTES,
      handshakeTimeout: 10_000,
      // ws hands TLS options to tls.connect as they are; its typings declare checkServerIdentity differently.
      ...(masterTls(this.opts.ca, this.opts.caIsMasterCert) as unknown as WebSocket.ClientOptions),
    });
    this.#ws = ws;
    this.#lastHeard = Date.now();
    ws.on('pong', () => (this.#lastHeard = Date.now()));
    ws.on('message', (data, isBinary) => {
      this.#lastHeard = Date.now();
      if (isBinary) return;
      try {
        this.#onFrame(ws, data.toString());
      } catch (e) {
        this.#log.warn({ err: e }, 'bad frame from master');
      }
    });
    ws.on('close', (code, reason) => {
      clearInterval(this.#heartbeat);
      const was = this.#welcomed;
      this.#welcomed = false;
      this.#sessionToken = undefined;
      if (was) {
        this.#log.warn({ code, reason: reason.toString() }, 'disconnected from master');
        this.opts.handlers.onDisconnect();
      }
      if (!this.#stopped) {
        const delay = this.#backoff.next();
        this.#retry = setTimeout(() => this.#dial(), delay);
      }
    });
    ws.on('error', (e) => {
      // TLS problems are configuration errors an admin must see; plain refusals are routine while the master is down.
      const tls = /certificate|self.signed|CERT|SSL|TLS/i.test(
        `${(e as NodeJS.ErrnoException).code ?? ''} ${e.message}`,
      );
      if (tls) this.#log.error({ err: e }, `TLS error connecting to the master: ${e.message} (check caFile)`);
      else this.#log.debug({ err: e }, 'connection error');
    });
  }

  #onFrame(ws: WebSocket, raw: string): void {
    const env = parseEnvelope(raw);
    if (!isKnownType(MasterToAgent, env.type)) return;
    const type = env.type;
    if (type === 'challenge') {
      const c = validateMessage(MasterToAgent, 'challenge', env.payload);
      if (c.protocolVersion !== PROTOCOL_VERSION) {
        // The master refuses us with the same diagnosis; say it here too, where the admin of this node looks.
        this.#log.error(
          { masterProtocol: c.protocolVersion, agentProtocol: PROTOCOL_VERSION },
          'master speaks another protocol version: upgrade the older side',
        );
      }
      const timestamp = Date.now();
      const mac = handshakeProof(this.#nodeKey, c.nonce, this.opts.nodeId, timestamp);
      const hello = {
        nodeId: this.opts.nodeId,
        protocolVersion: PROTOCOL_VERSION,
        agentVersion: this.opts.agentVersion,
        timestamp,
        mac,
        temporary: this.opts.temporary,
        dedicated: this.opts.dedicated,
        hostname: hostname(),
        slots: this.opts.slots,
        tags: this.opts.tags,
        ...this.opts.handlers.helloState(),
      };
      ws.send(encodeEnvelope({ type: 'hello', payload: validateMessage(AgentToMaster, 'hello', hello) }));
      return;
    }
    if (type === 'rejected') {
      const r = validateMessage(MasterToAgent, 'rejected', env.payload);
      this.#log.error({ code: r.code }, `master rejected this agent: ${r.message}`);
      return;
    }
    if (type === 'welcome') {
      const w = validateMessage(MasterToAgent, 'welcome', env.payload);
      this.#welcomed = true;
      this.#sessionToken = w.sessionToken;
      this.#backoff.reset();
      this.#log.info({ sessionNodeId: w.nodeId }, 'connected to master');
      clearInterval(this.#heartbeat);
      this.#heartbeat = setInterval(() => {
        // A master that has said nothing for three beats (not even a pong) is unreachable: drop the socket
        // and dial again rather than wait for TCP to notice.
        if (Date.now() - this.#lastHeard > HEARTBEAT_MISS_THRESHOLD * w.heartbeatIntervalMs) {
          this.#log.warn('master silent for three heartbeats: reconnecting');
          ws.terminate();
          return;
        }
        ws.ping();
        this.send('heartbeat', {
          running: this.opts.activeCount(),
          at: Date.now(),
          ...this.opts.handlers.heartbeatExtras(),
        });
      }, w.heartbeatIntervalMs);
      this.opts.handlers.onWelcome(w);
      return;
    }
    if (!this.#welcomed) return;
    const id = env.id;
    const reply = (payload: unknown) => {
      if (id !== undefined && ws.readyState === WebSocket.OPEN) {
        ws.send(encodeEnvelope({ type: `${type}.reply`, replyTo: id, payload }));
      }
    };
    this.opts.handlers.onMessage(type, env.payload, reply);
  }
}
