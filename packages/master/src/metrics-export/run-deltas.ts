/**
 * Turns the cumulative values of `job.stats` events (a crawl's items, requests, responses and errors so far) into
 * increments for Prometheus counters: the last values of each run are kept, and each report adds what grew since.
 *
 * What a run reported before this process knew it (a master restart, or an entry evicted by the bound) was counted
 * by whoever saw it then, so an unknown run's first report only sets its baseline: a counter may miss a little,
 * never count twice. A run whose start this process saw begins at zero, so everything it reports is counted.
 *
 * Bounded: at most `maxLive` runs (those still reporting; the least recently updated is evicted) and `maxEnded`
 * finished ones kept briefly, because a run's final report may be published just after its `job.finished`.
 */

export interface Cumulative {
  items: number;
  requests: number;
  responses: number;
  errors: number;
}

export const ZERO: Readonly<Cumulative> = Object.freeze({ items: 0, requests: 0, responses: 0, errors: 0 });

export interface RunDeltasOptions {
  /** Runs tracked while they report. */
  maxLive: number;
  /** Finished runs whose late final report is still expected. */
  maxEnded: number;
}

export class RunDeltas {
  readonly #live = new Map<string, Cumulative>();
  readonly #ended = new Map<string, Cumulative>();
  readonly #o: RunDeltasOptions;

  constructor(o: RunDeltasOptions) {
    this.#o = o;
  }

  /** Runs tracked (live, ended). */
  get size(): { live: number; ended: number } {
    return { live: this.#live.size, ended: this.#ended.size };
  }

  /** The run started under this process's eyes: all it reports is new. */
  started(runId: string): void {
    if (!this.#live.has(runId) && !this.#ended.has(runId)) this.#put(this.#live, runId, ZERO, this.#o.maxLive);
  }

  /**
   * A report of the run's cumulative values; returns what grew since the last one (zero for a value that went
   * down, which a crawl's counters never do, and for the first report of a run this process did not see start).
   * A final report ends the run's tracking.
   */
  observe(runId: string, reported: Cumulative, final: boolean): Cumulative {
    const now = clean(reported);
    const last = this.#live.get(runId) ?? this.#ended.get(runId);
    const delta: Cumulative = last
      ? {
          items: grew(last.items, now.items),
          requests: grew(last.requests, now.requests),
          responses: grew(last.responses, now.responses),
          errors: grew(last.errors, now.errors),
        }
      : ZERO;
    // The highest values seen stay the baseline, so a report that went backwards is not counted again later.
    const next = last ? highest(last, now) : now;
    if (final) {
      this.#live.delete(runId);
      this.#ended.delete(runId);
    } else if (this.#ended.has(runId)) {
      this.#ended.set(runId, copy(next));
    } else {
      // Re-inserted so that Map order is least recently updated first, which is what eviction drops.
      this.#live.delete(runId);
      this.#put(this.#live, runId, next, this.#o.maxLive);
    }
    return delta;
  }

  /** The run finished; a final report may still follow, so it is kept (bounded) until then. */
  ended(runId: string): void {
    const last = this.#live.get(runId);
    if (last === undefined) return;
    this.#live.delete(runId);
    this.#put(this.#ended, runId, last, this.#o.maxEnded);
  }

  /** A finished run is back (a lost run that resurfaced): it reports again. */
  resumed(runId: string): void {
    const last = this.#ended.get(runId);
    if (last === undefined) return;
    this.#ended.delete(runId);
    this.#put(this.#live, runId, last, this.#o.maxLive);
  }

  /** The run is gone for good (requeued under a new run id): nothing more will come from it. */
  forget(runId: string): void {
    this.#live.delete(runId);
    this.#ended.delete(runId);
  }

  #put(map: Map<string, Cumulative>, runId: string, values: Cumulative, max: number): void {
    if (max <= 0) return;
    while (map.size >= max) {
      const oldest = map.keys().next().value;
      if (oldest === undefined) break;
      map.delete(oldest);
    }
    map.set(runId, copy(values));
  }
}

function grew(before: number, now: number): number {
  return now > before ? now - before : 0;
}

/** A value that is not a count (NaN, infinite, negative) counts as nothing. */
function clean(v: Cumulative): Cumulative {
  const n = (x: number) => (Number.isFinite(x) && x > 0 ? x : 0);
  return { items: n(v.items), requests: n(v.requests), responses: n(v.responses), errors: n(v.errors) };
}

function highest(a: Cumulative, b: Cumulative): Cumulative {
  return {
    items: Math.max(a.items, b.items),
    requests: Math.max(a.requests, b.requests),
    responses: Math.max(a.responses, b.responses),
    errors: Math.max(a.errors, b.errors),
  };
}

function copy(v: Cumulative): Cumulative {
  return { items: v.items, requests: v.requests, responses: v.responses, errors: v.errors };
}
