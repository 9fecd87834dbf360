/**
 * When each browser session was last used, written coalesced: a request only notes the time in memory; a flush
 * every few seconds writes what changed, one UPDATE per distinct time (never one write per request). Until then
 * `latest` answers from memory, so this master's idle checks see every use at once.
 */
export interface LastSeenOptions {
  /** Writes `at` as the last use of `ids` (never moving a time back). */
  write: (ids: readonly string[], at: number) => Promise<void>;
  flushMs: number;
  onError: (e: unknown) => void;
}

export class LastSeen {
  readonly #pending = new Map<string, number>();
  readonly #o: LastSeenOptions;
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> = Promise.resolve();

  constructor(o: LastSeenOptions) {
    this.#o = o;
  }

  seen(id: string, at: number): void {
    if ((this.#pending.get(id) ?? -1) < at) this.#pending.set(id, at);
  }

  /** The last use noted here and not yet written. */
  latest(id: string): number | undefined {
    return this.#pending.get(id);
  }

  forget(id: string): void {
    this.#pending.delete(id);
  }

  start(): void {
    this.#timer ??= setInterval(() => void this.flush(), this.#o.flushMs).unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.flush();
  }

  /** Writes what was noted; one flush at a time (a slow store never gets overlapping batches). */
  flush(): Promise<void> {
    this.#flushing = this.#flushing.then(() => this.#write());
    return this.#flushing;
  }

  async #write(): Promise<void> {
    if (this.#pending.size === 0) return;
    const batch = new Map(this.#pending);
    const byTime = new Map<number, string[]>();
    for (const [id, at] of batch) byTime.set(at, [...(byTime.get(at) ?? []), id]);
    try {
      for (const [at, ids] of byTime) await this.#o.write(ids, at);
    } catch (e) {
      // Kept: the next flush tries again.
      this.#o.onError(e);
      return;
    }
    // A use noted while writing stays pending.
    for (const [id, at] of batch) if (this.#pending.get(id) === at) this.#pending.delete(id);
  }
}
