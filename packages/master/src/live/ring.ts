/**
 * The recent live events, kept so a client that reconnects with its last id gets exactly what it missed. Bounded by
 * count and by age; each entry is numbered by this process's stream (`seq`, from 1) under a random `epoch`, so an
 * id from before a restart is told apart from one of this stream.
 */
import { randomBytes } from 'node:crypto';

export interface RingEntry<T> {
  seq: number;
  at: number;
  value: T;
}

/** What follows an id: the entries after it (oldest first), or why they can't be had. */
export type Since<T> =
  { ok: true; entries: RingEntry<T>[] } | { ok: false; reason: 'restarted' | 'too-old' | 'unknown' };

export interface RingOptions {
  /** Entries kept at most (default 10 000). */
  maxEntries?: number;
  /** Entries older than this are dropped (default 10 minutes). */
  maxAgeMs?: number;
  now?: () => number;
  /** Tests: a fixed epoch. */
  epoch?: string;
}

export class LiveRing<T> {
  readonly epoch: string;
  readonly #maxEntries: number;
  readonly #maxAgeMs: number;
  readonly #now: () => number;
  /** A circular buffer: `#start` is the oldest entry's index, `#size` how many are kept. */
  readonly #buf: (RingEntry<T> | undefined)[];
  #start = 0;
  #size = 0;
  #head = 0;

  constructor(o: RingOptions = {}) {
    this.epoch = o.epoch ?? randomBytes(6).readUIntBE(0, 6).toString(36);
    this.#maxEntries = o.maxEntries ?? 10_000;
    this.#maxAgeMs = o.maxAgeMs ?? 10 * 60_000;
    this.#now = o.now ?? Date.now;
    this.#buf = new Array<RingEntry<T> | undefined>(this.#maxEntries);
  }

  /** The seq of the newest entry (0: none yet). */
  get head(): number {
    return this.#head;
  }

  get size(): number {
    return this.#size;
  }

  /** The id of a seq of this stream. */
  idOf(seq: number): string {
    return `${this.epoch}-${seq}`;
  }

  append(value: T): RingEntry<T> {
    const entry = { seq: ++this.#head, at: this.#now(), value };
    if (this.#size === this.#maxEntries) this.#dropOldest();
    this.#buf[(this.#start + this.#size) % this.#maxEntries] = entry;
    this.#size++;
    this.#expire();
    return entry;
  }

  /** The entries after `id` (an `<epoch>-<seq>`), all of them still kept, or the reason they are not. */
  since(id: string): Since<T> {
    const m = /^([0-9a-z]{1,16})-(\d{1,15})$/.exec(id);
    if (m === null) return { ok: false, reason: 'unknown' };
    if (m[1] !== this.epoch) return { ok: false, reason: 'restarted' };
    const seq = Number(m[2]);
    if (seq > this.#head) return { ok: false, reason: 'unknown' };
    this.#expire();
    // The entry right after `seq` must still be here (or `seq` is the head): else some were dropped.
    const oldest = this.#size === 0 ? this.#head + 1 : this.#at(0).seq;
    if (seq + 1 < oldest) return { ok: false, reason: 'too-old' };
    const entries: RingEntry<T>[] = [];
    for (let i = seq + 1 - oldest; i < this.#size; i++) entries.push(this.#at(i));
    return { ok: true, entries };
  }

  #at(i: number): RingEntry<T> {
    return this.#buf[(this.#start + i) % this.#maxEntries]!;
  }

  #dropOldest(): void {
    this.#buf[this.#start] = undefined;
    this.#start = (this.#start + 1) % this.#maxEntries;
    this.#size--;
  }

  #expire(): void {
    const cutoff = this.#now() - this.#maxAgeMs;
    while (this.#size > 0 && this.#at(0).at < cutoff) this.#dropOldest();
  }
}
