/**
 * Start rate limits of projects and spiders (policy `startRate`: at most `count` starts per `periodSeconds`), as
 * token buckets: full at first, one token per start, refilled at count/period per second. In memory: a master
 * restart starts every bucket full again (at most one extra burst). One bucket per project or spider whose policy
 * sets a rate. Unit-tested.
 */
export interface StartRate {
  count: number;
  periodSeconds: number;
}

interface Bucket {
  tokens: number;
  at: number;
  rate: StartRate;
}

export class StartRateLimiter {
  readonly #buckets = new Map<string, Bucket>();

  #bucket(key: string, rate: StartRate, now: number): Bucket {
    let b = this.#buckets.get(key);
    if (!b || b.rate.count !== rate.count || b.rate.periodSeconds !== rate.periodSeconds) {
      // New, or the policy changed: start full under the new rate.
      b = { tokens: rate.count, at: now, rate };
      this.#buckets.set(key, b);
    }
    b.tokens = Math.min(rate.count, b.tokens + ((now - b.at) / (rate.periodSeconds * 1000)) * rate.count);
    b.at = now;
    return b;
  }

  /** Whether a start is allowed now under `rate` (null: no limit). */
  allows(key: string, rate: StartRate | null, now: number): boolean {
    return rate === null || this.#bucket(key, rate, now).tokens >= 1;
  }

  /** Records a start. */
  take(key: string, rate: StartRate | null, now: number): void {
    if (rate !== null) this.#bucket(key, rate, now).tokens -= 1;
  }

  /** When the next start is allowed (now if allowed). */
  nextAt(key: string, rate: StartRate, now: number): number {
    const b = this.#bucket(key, rate, now);
    return b.tokens >= 1 ? now : now + Math.ceil(((1 - b.tokens) * rate.periodSeconds * 1000) / rate.count);
  }
}
