/**
 * At most one `job.stats` per run per interval on the stream, and never a stale one: the first of a run passes at
 * once, later ones within the interval wait and only the newest of them goes out when it ends; a final snapshot
 * passes at once and drops what waited (it is newer). State exists only for runs with stats in the last interval.
 */
export interface StatsThrottleOptions<T> {
  intervalMs?: number;
  emit: (value: T) => void;
  /** Injected for tests (node:test mock timers work too). */
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}

interface RunState<T> {
  pending: T | undefined;
  timer: unknown;
}

export class StatsThrottle<T> {
  readonly #runs = new Map<string, RunState<T>>();
  readonly #intervalMs: number;
  readonly #emit: (value: T) => void;
  readonly #setTimer: (fn: () => void, ms: number) => unknown;
  readonly #clearTimer: (handle: unknown) => void;

  constructor(o: StatsThrottleOptions<T>) {
    this.#intervalMs = o.intervalMs ?? 1_000;
    this.#emit = o.emit;
    this.#setTimer = o.setTimer ?? ((fn, ms) => setTimeout(fn, ms).unref());
    this.#clearTimer = o.clearTimer ?? ((h) => clearTimeout(h as NodeJS.Timeout));
  }

  /** Runs with state (tests, bounds). */
  get tracked(): number {
    return this.#runs.size;
  }

  offer(runId: string, value: T, final: boolean): void {
    const run = this.#runs.get(runId);
    if (run === undefined) {
      this.#emit(value);
      if (!final) this.#arm(runId, { pending: undefined, timer: undefined });
      return;
    }
    if (!final) {
      run.pending = value;
      return;
    }
    this.#clearTimer(run.timer);
    this.#runs.delete(runId);
    this.#emit(value);
  }

  /** Drops every waiting snapshot (shutdown). */
  clear(): void {
    for (const run of this.#runs.values()) this.#clearTimer(run.timer);
    this.#runs.clear();
  }

  #arm(runId: string, run: RunState<T>): void {
    this.#runs.set(runId, run);
    run.timer = this.#setTimer(() => {
      const value = run.pending;
      if (value === undefined) {
        this.#runs.delete(runId);
        return;
      }
      run.pending = undefined;
      this.#emit(value);
      this.#arm(runId, run);
    }, this.#intervalMs);
  }
}
