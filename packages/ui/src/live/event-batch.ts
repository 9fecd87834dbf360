/**
 * Live events handed to the pages in batches, so a page renders once per batch instead of once per event: with
 * 50 crawls each reporting every second, one render per event kept a list page's main thread busy most of the
 * time. A batch goes out on the next turn of the event loop after the first item, but never sooner than `minGapMs`
 * after the previous one (a quiet stream's event shows at once, a busy stream's at most 1000 / minGapMs times a
 * second). Items keep their order (events and resets alike). Pure: the clock and the timer are parameters.
 */
export interface EventBatchOptions<T> {
  deliver: (items: readonly T[]) => void;
  /** Least time between two deliveries. */
  minGapMs: number;
  /** A batch this long goes out at once (a hidden tab's throttled timers must not let the queue grow unbounded). */
  maxItems: number;
  now: () => number;
  setTimeout: (fn: () => void, ms: number) => void;
}

export class EventBatch<T> {
  readonly #o: EventBatchOptions<T>;
  #queue: T[] = [];
  #scheduled = false;
  #last = Number.NEGATIVE_INFINITY;

  constructor(o: EventBatchOptions<T>) {
    this.#o = o;
  }

  push(item: T): void {
    this.#queue.push(item);
    if (this.#queue.length >= this.#o.maxItems) return this.#flush();
    if (this.#scheduled) return;
    this.#scheduled = true;
    const wait = Math.max(0, this.#last + this.#o.minGapMs - this.#o.now());
    this.#o.setTimeout(() => {
      this.#scheduled = false;
      this.#flush();
    }, wait);
  }

  /** Delivers what waits (a timer still pending after a full batch went out delivers what came since, if any). */
  #flush(): void {
    if (this.#queue.length === 0) return;
    this.#last = this.#o.now();
    const items = this.#queue;
    this.#queue = [];
    this.#o.deliver(items);
  }
}
