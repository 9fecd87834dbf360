/**
 * A consumer of domain events that must never miss one (webhooks, their items, alerts). Events are in-process: one
 * published while the master was down, or before the consumer subscribed, exists only as committed state. So a
 * durable consumer has a name and a mark in the database (`consumer_marks`): every event before the mark has been
 * handled. On start it subscribes, then reads from the database what happened from its mark on (`history`) and
 * handles that first (live events that arrive meanwhile wait, and those the catch-up already held are dropped).
 *
 * Events are handled concurrently and may finish out of order, so the mark is a low-water mark: it never passes an
 * event still being handled, nor one whose handler failed for good (kept for the next start). A restart may
 * therefore hand an event over twice: handlers are idempotent (the outbox's keys, an alert's state).
 */
import type { Logger } from 'pino';
import type { ConsumerMarks } from '../db/repos/consumer-marks.js';
import type { DomainEvents, EventType, Published } from './domain-events.js';

export interface DurableConsumerOptions<T extends EventType> {
  /** The mark's name: one consumer, one name, forever (a new name starts from now). */
  name: string;
  types: readonly T[];
  events: DomainEvents;
  marks: Pick<ConsumerMarks, 'get' | 'set'>;
  /** The events of `types` at or after a position, oldest first, at most `limit` (from the database). */
  history: (from: number, limit: number) => Promise<Published<T>[]>;
  /** An event's place in time; the mark is one of these. */
  position: (event: Published<T>) => number;
  /** What makes an event unique (the catch-up and the live stream may both carry it). */
  key: (event: Published<T>) => string;
  /**
   * Handles events: one live event, or a page caught up from the database (`caughtUp`), oldest first. Resolves
   * once they are handled for good; a rejection is retried (see `retryDelaysMs`).
   */
  handle: (events: Published<T>[], how: { caughtUp: boolean }) => Promise<void>;
  now: () => number;
  logger: Logger;
  /** Also re-read this long before the mark (events whose time can be earlier than their turn). Default 0. */
  marginMs?: number;
  /** Events read per page of the catch-up, and at most this many pages (a long outage doesn't flood). */
  pageSize?: number;
  maxPages?: number;
  /** Waits before each retry of a failed handler; then the events wait for the next start. */
  retryDelaysMs?: readonly number[];
  /** How often the mark is written. */
  saveEveryMs?: number;
}

/** Live events held while catching up, at most: beyond, they wait for the next start (the mark stays before). */
const MAX_HELD = 100_000;

export class DurableConsumer<T extends EventType> {
  readonly #o: DurableConsumerOptions<T>;
  readonly #log: Logger;
  /** Handlings under way: their lowest position. */
  readonly #inflight = new Map<number, number>();
  #tickets = 0;
  /** The mark at start: everything before it was handled by an earlier run. */
  #startMark = 0;
  /** The highest position handed to the handler (done, under way or given up on). */
  #reached = -Infinity;
  /** The lowest position of events given up on (failed handlers, dropped while held). */
  #pinned = Infinity;
  #saved: number | null = null;
  #held: Published<T>[] | null = null;
  #caughtUp: Promise<void> = Promise.resolve();
  #started = false;
  #stopped = false;
  #unsubscribe: (() => void)[] = [];
  #timer: NodeJS.Timeout | null = null;
  #saving: Promise<void> = Promise.resolve();
  readonly #sleepers = new Set<() => void>();
  readonly #idleWaiters: (() => void)[] = [];

  constructor(options: DurableConsumerOptions<T>) {
    this.#o = options;
    this.#log = options.logger.child({ component: 'consumer', consumer: options.name });
  }

  /** Subscribes, reads the mark and starts catching up (see `caughtUp`). A first start begins now. */
  async start(): Promise<void> {
    this.#started = true;
    this.#stopped = false;
    this.#held = [];
    this.#unsubscribe = this.#o.types.map((type) => this.#o.events.on(type, (e) => this.#live(e)));
    const mark = await this.#o.marks.get(this.#o.name);
    if (mark === null) {
      this.#startMark = this.#o.now();
      await this.#write(this.#startMark);
      this.#release(new Set());
    } else {
      this.#startMark = mark;
      this.#saved = mark;
      this.#caughtUp = this.#catchUp(mark);
    }
    this.#timer = setInterval(() => void this.save(), this.#o.saveEveryMs ?? 2_000);
    this.#timer.unref();
  }

  /** Resolves once what happened before the start is handled (or given up on). */
  caughtUp(): Promise<void> {
    return this.#caughtUp;
  }

  /** Whether anything is being caught up, held or handled. */
  get busy(): boolean {
    return this.#held !== null || this.#inflight.size > 0;
  }

  /** Resolves when nothing is being caught up, held or handled. */
  async idle(): Promise<void> {
    while (this.busy) await new Promise<void>((resolve) => this.#idleWaiters.push(resolve));
  }

  /**
   * The mark: the lowest position still being handled or given up on; when none, the highest reached. A page
   * caught up from before the start mark holds it at the start mark (the earlier run had handled all that).
   */
  mark(): number {
    let m = Math.max(this.#startMark, this.#reached);
    for (const p of this.#inflight.values()) m = Math.min(m, p);
    return Math.min(m, this.#pinned);
  }

  /** Writes the mark if it moved (one write at a time, in order). */
  save(): Promise<void> {
    this.#saving = this.#saving.then(async () => {
      const m = this.mark();
      if (m !== this.#saved) await this.#write(m);
    });
    return this.#saving;
  }

  /**
   * Stops taking events; `drain` (the owner's own shutdown) runs before the last mark is written, so what it
   * completes is counted and what it leaves unfinished is caught up by the next start.
   */
  async stop(drain?: () => Promise<void>): Promise<void> {
    // Never started: there is no mark to write (an empty one would catch up from the beginning of time).
    if (!this.#started) return drain?.();
    this.#stopped = true;
    for (const u of this.#unsubscribe.splice(0)) u();
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    for (const wake of [...this.#sleepers]) wake();
    await drain?.();
    await this.save();
  }

  async #write(m: number): Promise<void> {
    try {
      await this.#o.marks.set(this.#o.name, m);
      this.#saved = m;
    } catch (err) {
      this.#log.warn({ err }, 'writing the consumer mark failed');
    }
  }

  #live(e: Published<T>): void {
    if (this.#stopped) return;
    if (this.#held === null) {
      void this.#handle([e], false);
    } else if (this.#held.length < MAX_HELD) {
      this.#held.push(e);
    } else {
      if (this.#pinned === Infinity) this.#log.error({ max: MAX_HELD }, 'too many events while catching up');
      this.#pinned = Math.min(this.#pinned, this.#o.position(e));
    }
  }

  /** Handles the live events held during the catch-up, but those it already handled. */
  #release(seen: Set<string>): void {
    const held = this.#held ?? [];
    this.#held = null;
    for (const e of held) {
      if (seen.has(this.#o.key(e))) continue;
      // Stopped meanwhile: left for the next start.
      if (this.#stopped) this.#pinned = Math.min(this.#pinned, this.#o.position(e));
      else void this.#handle([e], false);
    }
    this.#settled();
  }

  async #catchUp(mark: number): Promise<void> {
    const pageSize = this.#o.pageSize ?? 1_000;
    const maxPages = this.#o.maxPages ?? 10;
    let from = mark - (this.#o.marginMs ?? 0);
    const seen = new Set<string>();
    let count = 0;
    // The catch-up itself holds the mark where it reads.
    const ticket = this.#track(Math.max(from, mark));
    try {
      for (let page = 0; page < maxPages && !this.#stopped; page++) {
        const read = await this.#retrying('reading events to catch up', () => this.#o.history(from, pageSize));
        if (read === undefined) {
          this.#pinned = Math.min(this.#pinned, Math.max(from, mark));
          return;
        }
        const events = read.value;
        const fresh = events.filter((e) => {
          const key = this.#o.key(e);
          if (seen.has(key)) return false;
          seen.add(key);
          return true;
        });
        count += fresh.length;
        if (fresh.length > 0) await this.#handle(fresh, true);
        if (events.length < pageSize) break;
        const last = this.#o.position(events[events.length - 1]!);
        // A page all at one position: step past it rather than read it forever.
        from = last > from ? last : from + 1;
        this.#inflight.set(ticket, Math.max(from, mark));
      }
      if (count > 0) this.#log.info({ from: mark, to: this.#reached, events: count }, 'caught up on events');
    } finally {
      this.#inflight.delete(ticket);
      this.#release(seen);
    }
  }

  #track(position: number): number {
    const ticket = ++this.#tickets;
    this.#inflight.set(ticket, position);
    return ticket;
  }

  async #handle(events: Published<T>[], caughtUp: boolean): Promise<void> {
    const positions = events.map(this.#o.position);
    const low = Math.min(...positions);
    const hold = caughtUp ? Math.max(low, this.#startMark) : low;
    const ticket = this.#track(hold);
    this.#reached = Math.max(this.#reached, ...positions);
    try {
      const ok = await this.#retrying(`handling ${events[0]!.type}`, () => this.#o.handle(events, { caughtUp }));
      if (ok === undefined) this.#pinned = Math.min(this.#pinned, hold);
    } finally {
      this.#inflight.delete(ticket);
      this.#settled();
    }
  }

  /** Runs `task`, retried after each of the delays; undefined once it failed for good (logged). */
  async #retrying<R>(what: string, task: () => Promise<R>): Promise<{ value: R } | undefined> {
    const delays = this.#o.retryDelaysMs ?? [1_000, 5_000, 30_000];
    for (let attempt = 0; ; attempt++) {
      try {
        return { value: await task() };
      } catch (err) {
        const delay = delays[attempt];
        if (delay === undefined || this.#stopped) {
          this.#log.error({ err }, `${what} failed; the next start catches up from before it`);
          return undefined;
        }
        this.#log.warn({ err, retryInMs: delay }, `${what} failed; retrying`);
        await this.#sleep(delay);
      }
    }
  }

  /** Waits `ms`, or less if the consumer stops. */
  #sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.#sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.#sleepers.add(wake);
    });
  }

  #settled(): void {
    if (this.busy) return;
    for (const resolve of this.#idleWaiters.splice(0)) resolve();
  }
}
