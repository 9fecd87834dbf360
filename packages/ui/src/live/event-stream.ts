/**
 * The UI's one live stream per tab (GET /api/v1/events): a framework-free wrapper over `EventSource` that tracks
 * the last id, reconnects with it after any drop (backoff), and tells its listeners `event(type, data)`, `reset()`
 * (reload the view: what was missed can't be replayed) and `ended(reason)` (access is gone: sign in again). The
 * decisions are resume-state.ts's; this runs them. The EventSource constructor and the timers are parameters, so
 * tests drive it without a browser.
 */
import type { LiveEvent, LiveEventType, LiveFamily } from '@scrapyard/protocol';
import { LIVE_EVENT_TYPES } from '@scrapyard/protocol/live-types';
import { INITIAL, step, streamUrl, type Backoff, type Effect, type Input, type Phase } from './resume-state.js';

/** The part of a browser `MessageEvent` the stream reads. */
export interface MessageLike {
  readonly data: string;
  readonly lastEventId: string;
}

/** The part of a browser `EventSource` the stream uses. */
export interface EventSourceLike {
  onerror: ((ev: unknown) => void) | null;
  addEventListener(type: string, listener: (ev: MessageLike) => void): void;
  close(): void;
}

export type EventSourceConstructor = new (url: string, init?: { withCredentials?: boolean }) => EventSourceLike;

export interface LiveListener {
  event?(type: LiveEventType, data: LiveEvent): void;
  reset?(): void;
  ended?(reason: string): void;
  phase?(phase: Phase): void;
}

export interface LiveEventStreamOptions extends Backoff {
  EventSource: EventSourceConstructor;
  /** Default `/api/v1/events`. */
  url?: string;
  families?: readonly LiveFamily[];
  setTimeout?: (fn: () => void, ms: number) => unknown;
  clearTimeout?: (handle: unknown) => void;
}

const CONTROL = ['ready', 'reset', 'end'] as const;

export class LiveEventStream {
  readonly #o: LiveEventStreamOptions;
  readonly #listeners = new Set<LiveListener>();
  #state = INITIAL;
  #source: EventSourceLike | null = null;
  #timer: unknown = null;

  constructor(o: LiveEventStreamOptions) {
    this.#o = o;
  }

  get phase(): Phase {
    return this.#state.phase;
  }

  get lastId(): string | null {
    return this.#state.lastId;
  }

  /** Adds a listener; returns its removal. */
  subscribe(listener: LiveListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  start(): void {
    this.#feed({ kind: 'start' });
  }

  stop(): void {
    this.#feed({ kind: 'stop' });
    this.#clearTimer();
  }

  #feed(input: Input): void {
    const before = this.#state.phase;
    const [next, effects] = step(this.#state, input, this.#o);
    this.#state = next;
    if (next.phase !== before) for (const l of this.#listeners) l.phase?.(next.phase);
    for (const e of effects) this.#run(e);
  }

  #run(e: Effect): void {
    switch (e.kind) {
      case 'connect':
        return this.#connect(e.lastId);
      case 'close':
        this.#source?.close();
        this.#source = null;
        return;
      case 'wait':
        this.#clearTimer();
        this.#timer = (this.#o.setTimeout ?? setTimeout)(() => {
          this.#timer = null;
          this.#feed({ kind: 'retry' });
        }, e.ms);
        return;
      case 'event': {
        const data = JSON.parse(e.data) as LiveEvent;
        for (const l of this.#listeners) l.event?.(e.type as LiveEventType, data);
        return;
      }
      case 'reset':
        for (const l of this.#listeners) l.reset?.();
        return;
      case 'ended':
        for (const l of this.#listeners) l.ended?.(e.reason);
        return;
    }
  }

  #connect(lastId: string | null): void {
    const source = new this.#o.EventSource(streamUrl(this.#o.url ?? '/api/v1/events', this.#o.families, lastId), {
      withCredentials: true,
    });
    this.#source = source;
    // Messages of a source already replaced (a late one after close) are ignored.
    const on = (event: string) => (ev: MessageLike) => {
      if (this.#source === source) this.#feed({ kind: 'message', event, id: ev.lastEventId, data: ev.data });
    };
    for (const type of [...CONTROL, ...LIVE_EVENT_TYPES]) source.addEventListener(type, on(type));
    source.onerror = () => {
      if (this.#source === source) this.#feed({ kind: 'error' });
    };
  }

  #clearTimer(): void {
    if (this.#timer !== null) {
      const clear = this.#o.clearTimeout ?? ((h) => clearTimeout(h as Parameters<typeof clearTimeout>[0]));
      clear(this.#timer);
    }
    this.#timer = null;
  }
}
