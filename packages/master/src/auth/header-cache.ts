/**
 * What an Authorization header was identified as, so a client sending the same header again (scrapyd-deploy,
 * ScrapydWeb and CI scripts send one per request, thousands a second on schedule.json) costs one hash and one map
 * lookup instead of a base64 decode, the built-in pair's digests, and the resolvers' checksums, digests and HMACs.
 *
 * Only identified callers are kept, never a refusal: a wrong password always takes the whole path (the login
 * limiter counts it). Whether a kept answer still holds is not decided here but asked of the resolver that gave it
 * (`CredentialResolver.reuse`) at every use, so a revocation, a disabled user, a password change or an expiry takes
 * effect exactly when it would without this cache. The key is a SHA-256 of the header under a random prefix of
 * this process, so no secret (nor a digest that could be checked against guessed passwords) sits in memory as a
 * key; it never leaves the process, so the prefix construction's length extension does not matter, and it is one
 * native call where an HMAC object costs several times more.
 */
import { hash, randomBytes } from 'node:crypto';
import type { Principal } from './principal.js';

/** Who answers whether a kept principal still holds; null: it always does (the config's pair, the admin token). */
export interface HeaderCacheEntry<Source> {
  principal: Principal;
  source: Source | null;
}

/** Distinct identified headers kept at most (callers, not requests: a few per script or person). */
const MAX_ENTRIES = 1_024;

export class HeaderCache<Source> {
  readonly #prefix = randomBytes(32).toString('base64');
  readonly #entries = new Map<string, HeaderCacheEntry<Source>>();
  readonly #max: number;

  constructor(o: { maxEntries?: number } = {}) {
    this.#max = o.maxEntries ?? MAX_ENTRIES;
  }

  /** The key of a header (the only place the header is read). */
  keyOf(authorization: string): string {
    return hash('sha256', this.#prefix + authorization, 'base64');
  }

  /** The entry, now the most recently used. */
  get(key: string): HeaderCacheEntry<Source> | undefined {
    const entry = this.#entries.get(key);
    if (entry !== undefined) {
      this.#entries.delete(key);
      this.#entries.set(key, entry);
    }
    return entry;
  }

  /** Kept as the most recently used; the least recently used are dropped beyond the bound. */
  set(key: string, principal: Principal, source: Source | null): void {
    this.#entries.delete(key);
    this.#entries.set(key, { principal, source });
    while (this.#entries.size > this.#max) this.#entries.delete(this.#entries.keys().next().value!);
  }

  delete(key: string): void {
    this.#entries.delete(key);
  }

  get size(): number {
    return this.#entries.size;
  }
}
