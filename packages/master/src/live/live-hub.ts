/**
 * The live event stream's one subscriber of the domain events, and its fan-out. Each event the stream carries is
 * mapped once (live-mapper.ts), `job.stats` thinned to one a second per run (stats-throttle.ts), kept in the ring
 * (ring.ts) and written to every open stream whose filter takes it, as one frame serialized once. A stream opens
 * synchronously after the ring is read, so what it replays and what it gets live meet with no gap and no duplicate.
 * Host samples (`node.host`, TRANSIENT_LIVE_TYPES) are telemetry: they skip the ring and go, without an id, only to
 * the streams open at that moment, at most one per node per `hostIntervalMs` and `maxHostPerSecond` in all, so ten
 * thousand agents sampling every few seconds neither flush the ring nor hold a timer each.
 *
 * Access: each stream is watched by auth/stream-access.ts (after an `access.changed` that concerns its principal,
 * and every `recheckMs`: expiry, changes made by another process), recomputing its filter, and ends when its
 * credentials no longer prove the same principal.
 */
import type { LiveFamily } from '@scrapyard/protocol';
import type { Logger } from 'pino';
import { grantsOf, type Principal } from '../auth/principal.js';
import { samePrincipal, StreamAccess } from '../auth/stream-access.js';
import type { DomainEvents, Published } from '../events/domain-events.js';
import { LiveConnection, type StreamSink } from './live-connection.js';
import { LIVE_SOURCE_TYPES, toLive, type LiveSourceType, type Mapped } from './live-mapper.js';
import { LiveRing, type RingEntry } from './ring.js';
import { KEEPALIVE, readyFrame, resetFrame, sseFrame, transientFrame } from './sse-frames.js';
import { StatsThrottle } from './stats-throttle.js';
import { accepts, viewerFilter } from './viewer-filter.js';

export interface LiveHubOptions {
  events: DomainEvents;
  logger: Logger;
  /** Streams open at once (max_event_streams); default 512. */
  maxStreams?: number;
  /** Ring bounds: default 10 000 events, 10 minutes. */
  ringEntries?: number;
  ringAgeMs?: number;
  /** A stream's send queue bound; default 1 MiB. */
  maxQueuedBytes?: number;
  heartbeatMs?: number;
  recheckMs?: number;
  statsIntervalMs?: number;
  /** At most one `node.host` per node in this long; default 2 s. */
  hostIntervalMs?: number;
  /** At most this many `node.host` frames a second over every node; default 200. */
  maxHostPerSecond?: number;
  now?: () => number;
}

/** A ring entry's value: the mapped event and its frame, serialized the first time a stream needs it. */
interface Kept extends Mapped {
  frame?: string;
}

export interface OpenStream {
  sink: StreamSink;
  principal: Principal;
  families?: readonly LiveFamily[];
  /** The client's last id (Last-Event-ID), if it resumes. */
  lastEventId?: string;
  reidentify: () => Promise<Principal>;
}

export class LiveHub {
  readonly #ring: LiveRing<Kept>;
  readonly #streams = new Set<LiveConnection>();
  readonly #throttle: StatsThrottle<Mapped>;
  readonly #hostSentAt = new Map<string, number>();
  readonly #hostIntervalMs: number;
  readonly #maxHostPerSecond: number;
  #hostSecond = 0;
  #hostInSecond = 0;
  readonly #now: () => number;
  readonly #log: Logger;
  readonly #maxStreams: number;
  readonly #maxQueuedBytes: number;
  readonly #off: (() => void)[] = [];
  readonly #timers: NodeJS.Timeout[] = [];
  readonly #access: StreamAccess;
  readonly #recheckMs: number;

  constructor(o: LiveHubOptions) {
    this.#log = o.logger.child({ component: 'live' });
    this.#maxStreams = o.maxStreams ?? 512;
    this.#maxQueuedBytes = o.maxQueuedBytes ?? 1024 * 1024;
    this.#ring = new LiveRing({ maxEntries: o.ringEntries, maxAgeMs: o.ringAgeMs, now: o.now });
    this.#throttle = new StatsThrottle({ intervalMs: o.statsIntervalMs, emit: (m) => this.#publish(m) });
    // An agent may sample its host more often than a chart needs (its metrics interval is its own setting).
    this.#hostIntervalMs = o.hostIntervalMs ?? 2_000;
    this.#maxHostPerSecond = o.maxHostPerSecond ?? 200;
    this.#now = o.now ?? Date.now;
    const onEvent = (e: Published<LiveSourceType>) => {
      if (e.type === 'node.host') return this.#host(e);
      const mapped = toLive(e);
      if (e.type === 'job.stats') this.#throttle.offer(e.job.runId, mapped, e.final);
      else this.#publish(mapped);
    };
    for (const type of LIVE_SOURCE_TYPES) this.#off.push(o.events.on(type, onEvent));
    this.#access = new StreamAccess({ events: o.events, logger: this.#log });
    this.#recheckMs = o.recheckMs ?? 60_000;
    this.#timers.push(setInterval(() => this.#heartbeat(), o.heartbeatMs ?? 15_000).unref());
  }

  get open(): number {
    return this.#streams.size;
  }

  get full(): boolean {
    return this.#streams.size >= this.#maxStreams;
  }

  get maxStreams(): number {
    return this.#maxStreams;
  }

  /**
   * Starts a stream on an open response: `ready` (after the replay of what the client missed, when it resumes) or
   * `reset` when that can't be had, then live events. Synchronous, so no event falls between replay and live.
   */
  attach(s: OpenStream): LiveConnection {
    let unwatch = (): void => undefined;
    const conn = new LiveConnection(s.sink, viewerFilter(grantsOf(s.principal), s.families), {
      maxQueuedBytes: this.#maxQueuedBytes,
      headId: () => this.#ring.idOf(this.#ring.head),
      onClose: (c) => {
        this.#streams.delete(c);
        unwatch();
      },
    });
    const head = this.#ring.idOf(this.#ring.head);
    if (s.lastEventId === undefined) {
      conn.send(readyFrame(head, { resumed: false }));
    } else {
      const since = this.#ring.since(s.lastEventId);
      const frames = since.ok ? this.#visible(conn, since.entries) : [];
      const bytes = frames.reduce((n, f) => n + f.length, 0);
      if (!since.ok) conn.send(resetFrame(head, { reason: since.reason }));
      else if (!conn.fits(bytes + 200)) conn.send(resetFrame(head, { reason: 'too-many' }));
      else {
        conn.send(readyFrame(s.lastEventId, { resumed: true }));
        for (const f of frames) conn.send(f);
      }
    }
    if (conn.closed) return conn;
    this.#streams.add(conn);
    unwatch = this.#access.watch(
      {
        principal: s.principal,
        reidentify: s.reidentify,
        allows: (now, before) => samePrincipal(before, now),
        kept: (now) => (conn.filter = viewerFilter(grantsOf(now), s.families)),
        end: () => conn.end('access-gone'),
      },
      this.#recheckMs,
    );
    return conn;
  }

  /** Ends every stream (the server is closing). */
  closeAll(): void {
    for (const conn of [...this.#streams]) conn.close();
  }

  /** Unsubscribes and stops the timers (after closeAll). */
  stop(): void {
    this.closeAll();
    for (const off of this.#off.splice(0)) off();
    this.#access.stop();
    for (const t of this.#timers.splice(0)) clearInterval(t);
    this.#throttle.clear();
    this.#hostSentAt.clear();
  }

  #visible(conn: LiveConnection, entries: RingEntry<Kept>[]): string[] {
    const frames: string[] = [];
    for (const e of entries) {
      if (accepts(conn.filter, e.value.family, e.value.project, e.value.adminOnly)) frames.push(this.#frame(e));
    }
    return frames;
  }

  #frame(e: RingEntry<Kept>): string {
    return (e.value.frame ??= sseFrame(this.#ring.idOf(e.seq), e.value.event.type, e.value.event));
  }

  #publish(m: Mapped): void {
    const entry = this.#ring.append({ ...m });
    for (const conn of this.#streams) {
      if (accepts(conn.filter, m.family, m.project, m.adminOnly)) conn.send(this.#frame(entry));
    }
  }

  /** A host sample to the streams open now that take node events, if its node's and the second's budget allow. */
  #host(e: Published<'node.host'>): void {
    if (this.#streams.size === 0) return;
    const now = this.#now();
    const last = this.#hostSentAt.get(e.nodeId);
    if (last !== undefined && now - last < this.#hostIntervalMs) return;
    const second = Math.floor(now / 1000);
    if (second !== this.#hostSecond) [this.#hostSecond, this.#hostInSecond] = [second, 0];
    if (this.#hostInSecond >= this.#maxHostPerSecond) return;
    this.#hostInSecond++;
    // Nodes are few next to samples; a map grown past any real cluster (revoked nodes' ids) starts again.
    if (this.#hostSentAt.size >= 100_000) this.#hostSentAt.clear();
    this.#hostSentAt.set(e.nodeId, now);
    const m = toLive(e);
    let frame: string | undefined;
    for (const conn of this.#streams) {
      if (accepts(conn.filter, m.family, m.project, m.adminOnly)) {
        conn.send((frame ??= transientFrame(m.event.type, m.event)));
      }
    }
  }

  #heartbeat(): void {
    for (const conn of [...this.#streams]) conn.send(KEEPALIVE);
  }
}
