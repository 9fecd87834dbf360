/**
 * One connected, authenticated agent: its advertised capacity, the runs it holds, and typed send/request over
 * its socket. Every outgoing payload is validated against the protocol catalog, so our own bugs fail here.
 */
import { createHash } from 'node:crypto';
import type WebSocket from 'ws';
import {
  MasterToAgent,
  encodeEnvelope,
  validateMessage,
  validateReply,
  type MessageInputOf,
  type NodeKind,
  type ReplyOf,
  type RequestTypes,
} from '@scrapyard/protocol';

interface PendingReply {
  type: string;
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

/** Most agents carry no tags: they share these instead of an empty array and set each (a master holds 10,000). */
const NO_TAGS: readonly string[] = Object.freeze([]);
const NO_TAG_SET: ReadonlySet<string> = new Set();
/** The runs of a session holding none (most of them, most of the time): one shared empty set, not 10,000. */
const NO_RUNS: ReadonlySet<string> = new Set();

/** The key a session token is looked up by: a lookup by digest reveals nothing about the token (no timing leak). */
export function tokenDigest(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

export class AgentSession {
  readonly nodeId: string;
  readonly kind: NodeKind;
  readonly slots: number;
  readonly tags: readonly string[];
  readonly tagSet: ReadonlySet<string>;
  readonly dedicated: boolean;
  readonly hostname: string;
  readonly address: string;
  readonly agentVersion: string;
  /**
   * SHA-256 of the session token the welcome carried (the registry's key for it): the token itself is not kept,
   * which spares a master with 10,000 agents 10,000 strings.
   */
  readonly tokenDigest: string;
  readonly connectedAt: number;
  /** Created by the first run placed here, dropped when the last one ends (a Set keeps the table it grew). */
  #runs: Set<string> | undefined;
  lastSeen: number;
  /** load1 per CPU from the latest host metrics (placement's tie-breaker); 0 until the first sample. */
  load = 0;
  #socket: WebSocket;
  #nextId = 1;
  /** Requests awaiting their reply; created by the first request (most sessions never get one). */
  #replies: Map<number, PendingReply> | undefined;
  #closed = false;

  constructor(opts: {
    nodeId: string;
    kind: NodeKind;
    slots: number;
    tags: string[];
    dedicated: boolean;
    hostname: string;
    address: string;
    agentVersion: string;
    socket: WebSocket;
    sessionToken: string;
    now: number;
  }) {
    this.nodeId = opts.nodeId;
    this.kind = opts.kind;
    this.slots = opts.slots;
    this.tags = opts.tags.length === 0 ? NO_TAGS : Object.freeze([...opts.tags]);
    this.tagSet = opts.tags.length === 0 ? NO_TAG_SET : new Set(opts.tags);
    this.dedicated = opts.dedicated;
    this.hostname = opts.hostname;
    this.address = opts.address;
    this.agentVersion = opts.agentVersion;
    this.#socket = opts.socket;
    this.tokenDigest = tokenDigest(opts.sessionToken);
    this.connectedAt = opts.now;
    this.lastSeen = opts.now;
  }

  /** Runs placed on this agent that have not finished yet. */
  get runs(): ReadonlySet<string> {
    return this.#runs ?? NO_RUNS;
  }

  addRun(runId: string): void {
    (this.#runs ??= new Set()).add(runId);
  }

  removeRun(runId: string): void {
    this.#runs?.delete(runId);
    if (this.#runs?.size === 0) this.#runs = undefined;
  }

  get freeSlots(): number {
    return this.slots - this.runs.size;
  }

  get closed(): boolean {
    return this.#closed;
  }

  send<K extends keyof MasterToAgent & string>(type: K, payload: MessageInputOf<MasterToAgent, K>): void {
    const valid = validateMessage(MasterToAgent, type, payload);
    if (this.#closed) return;
    this.#socket.send(encodeEnvelope({ type, payload: valid }));
  }

  request<K extends RequestTypes<MasterToAgent> & string>(
    type: K,
    payload: MessageInputOf<MasterToAgent, K>,
    timeoutMs: number,
  ): Promise<ReplyOf<MasterToAgent, K>> {
    const valid = validateMessage(MasterToAgent, type, payload);
    if (this.#closed) return Promise.reject(new Error(`agent ${this.nodeId} is disconnected`));
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#forget(id);
        reject(new Error(`agent ${this.nodeId} did not answer ${type} within ${timeoutMs} ms`));
      }, timeoutMs);
      (this.#replies ??= new Map()).set(id, { type, resolve: resolve as (v: unknown) => void, reject, timer });
      this.#socket.send(encodeEnvelope({ type, id, payload: valid }));
    });
  }

  /** Routes a reply frame to its request; false when nothing waits for it. */
  settleReply(replyTo: number, payload: unknown): boolean {
    const waiting = this.#replies?.get(replyTo);
    if (!waiting) return false;
    this.#forget(replyTo);
    clearTimeout(waiting.timer);
    try {
      waiting.resolve(validateReply(MasterToAgent, waiting.type as RequestTypes<MasterToAgent> & string, payload));
    } catch (e) {
      waiting.reject(e instanceof Error ? e : new Error(String(e)));
    }
    return true;
  }

  /** An empty map goes: its table stays as large as it ever grew. */
  #forget(id: number): void {
    this.#replies?.delete(id);
    if (this.#replies?.size === 0) this.#replies = undefined;
  }

  markClosed(): void {
    this.#closed = true;
    const replies = this.#replies;
    this.#replies = undefined;
    for (const w of replies?.values() ?? []) {
      clearTimeout(w.timer);
      w.reject(new Error(`agent ${this.nodeId} disconnected`));
    }
  }

  close(code: number, reason: string): void {
    this.markClosed();
    this.#socket.close(code, reason);
  }
}
