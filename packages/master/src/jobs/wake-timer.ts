/**
 * One timer for the earliest moment something waiting may go ahead (a retry's backoff, a start rate's next
 * token): it calls `wake` then. Capped so a far-off moment never overflows setTimeout; the pass it wakes re-arms
 * for what is left. It never holds the process open.
 */
const MAX_DELAY_MS = 3_600_000;

export class WakeTimer {
  #timer: NodeJS.Timeout | undefined;
  #at: number | null = null;
  readonly #wake: () => void;

  constructor(wake: () => void) {
    this.#wake = wake;
  }

  /** When it fires next, or null when it is not armed. */
  get at(): number | null {
    return this.#at;
  }

  /** Fires at `at` instead of whenever it was armed for; null disarms it. */
  set(at: number | null, now: number): void {
    clearTimeout(this.#timer);
    this.#at = at;
    if (at === null) return;
    this.#timer = setTimeout(
      () => {
        this.#at = null;
        this.#wake();
      },
      Math.min(Math.max(0, at - now), MAX_DELAY_MS),
    );
    this.#timer.unref();
  }
}
