/**
 * When each token was last used, recorded coalesced: a use only adds the token's id to a set, and a flush at most
 * every `everyMs` writes them all in one UPDATE. The schedule.json hot path never writes per request; the time kept
 * is the flush's, so up to `everyMs` late. Flushed on close (shutdown).
 */
import type { Logger } from 'pino';
import type { ApiTokensRepo } from '../db/repos/api-tokens.js';

export const LAST_USE_FLUSH_MS = 10_000;

export class TokenLastUse {
  #used = new Set<string>();
  readonly #timer: NodeJS.Timeout;
  readonly #repo: Pick<ApiTokensRepo, 'touch'>;
  readonly #now: () => number;
  readonly #logger: Pick<Logger, 'warn'>;

  constructor(o: {
    repo: Pick<ApiTokensRepo, 'touch'>;
    now: () => number;
    logger: Pick<Logger, 'warn'>;
    everyMs?: number;
  }) {
    this.#repo = o.repo;
    this.#now = o.now;
    this.#logger = o.logger;
    this.#timer = setInterval(() => void this.flush(), o.everyMs ?? LAST_USE_FLUSH_MS).unref();
  }

  mark(tokenId: string): void {
    this.#used.add(tokenId);
  }

  /** Writes the uses since the last flush (none: no query). A failed write is logged; those uses are dropped. */
  async flush(): Promise<void> {
    if (this.#used.size === 0) return;
    const ids = [...this.#used];
    this.#used = new Set();
    try {
      await this.#repo.touch(ids, this.#now());
    } catch (err) {
      this.#logger.warn({ err, tokens: ids.length }, "recording API tokens' last use failed");
    }
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.flush();
  }
}
