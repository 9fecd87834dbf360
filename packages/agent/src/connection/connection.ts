/**
 * The agent's link to the master: dial out (works behind NAT), run the mutual handshake (connection/handshake.ts),
 * then route frames through the typed handler map until the socket drops, and dial again with backoff. One loop;
 * every state change (closed, refused, rejected, stop) goes through it.
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
  handleMessage,
  isKnownType,
  parseEnvelope,
  validateMessage,
  type Envelope,
  type HandlerMap,
  type Heartbeat,
  type MessageInputOf,
  type MessageOf,
  type Welcome,
} from '@scrapyard/protocol';
import { Backoff } from './backoff.js';
import { AgentHandshake, type HandshakeFailure } from './handshake.js';
import { masterTls } from '../net/http-client.js';

/** Messages of the handshake; everything else is a session message, valid only after welcome. */
const HANDSHAKE_TYPES = ['challenge', 'master.proof', 'welcome', 'rejected'] as const;
export type SessionMessageType = Exclude<keyof MasterToAgent & string, (typeof HANDSHAKE_TYPES)[number]>;
const isHandshakeType = (t: string) => (HANDSHAKE_TYPES as readonly string[]).includes(t);

export type MasterMessageHandlers = HandlerMap<MasterToAgent, undefined, SessionMessageType>;

export interface ConnectionHandlers {
  /** What the hello reports: running runs and every run the master may not have heard the end of. */
  helloState(): Pick<MessageOf<AgentToMaster, 'hello'>, 'running' | 'known'>;
  onWelcome(welcome: Welcome): void;
  /** One handler per session message; replies are validated before they are sent. */
  messages: MasterMessageHandlers;
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
  #handshake: AgentHandshake | null = null;
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
    this.#handshake = new AgentHandshake({
      nodeId: this.opts.nodeId,
      nodeKey: this.#nodeKey,
      temporary: this.opts.temporary,
    });
    const ws = new WebSocket(this.opts.url, WS_SUBPROTOCOL, {
      maxPayload: MAX_FRAME_BYTES,
      handshakeTimeout: 10_000,
      // ws hands TLS options to tls.connect as they are; its typings declare checkServerIdentity differently.
      ...(masterTls(this.opts.ca, this.opts.caIsMasterCert) as unknown as WebSocket.ClientOptions),
    });
    this.#ws = ws;
    this.#lastHeard = Date.now();
    ws.on('pong', () => (this.#lastHeard = Date.now()));
    ws.on('message', (data: Buffer, isBinary) => {
      this.#lastHeard = Date.now();
      if (ws !== this.#ws) return; // a socket we already gave up on
      // Frames still buffered when we stop would reach handlers whose stores are closing; the master re-sends what
      // matters (cancels, acks, the live egg set) at the next hello.
      if (this.#stopped) return;
      if (isBinary) return this.#refuse(ws, { code: 'PROTOCOL_ERROR', message: 'master sent a binary frame' });
      let env: Envelope;
      try {
        env = parseEnvelope(data.toString());
      } catch (e) {
        this.#log.warn({ err: e }, 'bad frame from master');
        return;
      }
      try {
        if (this.#welcomed) this.#onSessionFrame(ws, env);
        else this.#onHandshakeFrame(ws, env);
      } catch (e) {
        this.#log.warn({ err: e, type: env.type }, 'bad frame from master');
      }
    });
    ws.on('close', (code, reason) => {
      clearInterval(this.#heartbeat);
      const was = this.#welcomed;
      this.#welcomed = false;
      this.#sessionToken = undefined;
      if (was) {
        // Our own stop is part of a clean shutdown (nothing at warn level); anything else is worth a warning.
        const level = this.#stopped ? 'info' : 'warn';
        this.#log[level]({ code, reason: reason.toString() }, 'disconnected from master');
        this.opts.handlers.onDisconnect();
      }
      if (!this.#stopped && ws === this.#ws) {
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

  /** Gives up on this socket (the dial loop tries again later with backoff). */
  #refuse(ws: WebSocket, f: HandshakeFailure): void {
    this.#log.error({ code: f.code }, `refusing the master: ${f.message}`);
    ws.close(4003, f.code);
  }

  #onHandshakeFrame(ws: WebSocket, env: Envelope): void {
    const hs = this.#handshake!;
    if (hs.phase === 'failed') return;
    if (env.replyTo !== undefined || env.id !== undefined || !isKnownType(MasterToAgent, env.type)) {
      return this.#refuse(ws, hs.outOfOrder(env.type));
    }
    const type = env.type;
    if (type === 'rejected') {
      // Said by an unauthenticated peer, so it changes nothing here: the master closes the socket itself.
      const r = validateMessage(MasterToAgent, 'rejected', env.payload);
      this.#log.error({ code: r.code }, `master rejected this agent: ${r.message}`);
      return;
    }
    if (type === 'challenge' && hs.phase === 'challenge') {
      const c = validateMessage(MasterToAgent, 'challenge', env.payload);
      if (c.protocolVersion !== PROTOCOL_VERSION) {
        // The master refuses us with the same diagnosis; say it here too, where the admin of this node looks.
        this.#log.error(
          { masterProtocol: c.protocolVersion, agentProtocol: PROTOCOL_VERSION },
          'master speaks another protocol version: upgrade the older side',
        );
      }
      ws.send(
        encodeEnvelope({ type: 'identify', payload: validateMessage(AgentToMaster, 'identify', hs.onChallenge(c)) }),
      );
      return;
    }
    if (type === 'master.proof' && hs.phase === 'proof') {
      const answer = hs.onProof(validateMessage(MasterToAgent, 'master.proof', env.payload), () => ({
        agentVersion: this.opts.agentVersion,
        dedicated: this.opts.dedicated,
        hostname: hostname(),
        slots: this.opts.slots,
        tags: this.opts.tags,
        ...this.opts.handlers.helloState(),
      }));
      if ('code' in answer) return this.#refuse(ws, answer);
      ws.send(encodeEnvelope({ type: 'hello', payload: validateMessage(AgentToMaster, 'hello', answer) }));
      return;
    }
    if (type === 'welcome' && hs.phase === 'welcome') {
      const w = validateMessage(MasterToAgent, 'welcome', env.payload);
      hs.onWelcome();
      this.#onWelcome(ws, w);
      return;
    }
    this.#refuse(ws, hs.outOfOrder(type));
  }

  #onWelcome(ws: WebSocket, w: Welcome): void {
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
  }

  #onSessionFrame(ws: WebSocket, env: Envelope): void {
    // We never send requests, so there is nothing a reply could answer; unknown types are a newer master's.
    if (env.replyTo !== undefined || !isKnownType(MasterToAgent, env.type)) return;
    const type = env.type;
    if (isHandshakeType(type)) {
      return this.#refuse(ws, { code: 'PROTOCOL_ERROR', message: `master sent ${type} after the handshake` });
    }
    const id = env.id;
    handleMessage(MasterToAgent, this.opts.handlers.messages, type as SessionMessageType, env.payload, undefined).then(
      (reply) => {
        if (id !== undefined && reply !== undefined && ws.readyState === WebSocket.OPEN) {
          ws.send(encodeEnvelope({ type: `${type}.reply`, replyTo: id, payload: reply }));
        }
      },
      (e: unknown) => this.#log.warn({ err: e, type }, 'bad message from master'),
    );
  }
}
