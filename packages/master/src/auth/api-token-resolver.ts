/**
 * API tokens as credentials: `Authorization: Bearer sy_…`, or `sy_…` as the basic-auth password of any username
 * (scrapyd-deploy, python-scrapyd-api and ScrapydWeb only know basic auth). The checksum is checked before any
 * lookup, so a typo or a password never reaches the database. A small cache of what a digest resolved to keeps the
 * schedule.json hot path free of queries; it is keyed by a generation that every `access.changed` event (a token
 * revoked, a user disabled or regranted) moves on, and expiry is checked at every use, so all of these take
 * effect at once.
 */
import { timingSafeEqual } from 'node:crypto';
import { storedGrants } from './stored-grants.js';
import type { ApiTokensRepo, TokenWithOwner } from '../db/repos/api-tokens.js';
import type { DomainEvents } from '../events/domain-events.js';
import { isWellFormedToken, tokenDigest } from './api-token-format.js';
import type { CredentialResolver } from './authenticator.js';
import { capGrants } from './grant-cap.js';
import type { Principal } from './principal.js';
import type { TokenLastUse } from './token-last-use.js';

/** A backstop for changes this process was not told of (another process writing the same database). */
const CACHE_TTL_MS = 30_000;
const CACHE_MAX = 10_000;

interface Entry {
  generation: number;
  at: number;
  /** Undefined: the token exists but serves nobody (revoked, owner disabled or gone). */
  principal: (Principal & { kind: 'token' }) | undefined;
  expiresAt: number | null;
}

export interface ApiTokenResolverOptions {
  repo: Pick<ApiTokensRepo, 'byDigest'>;
  events: DomainEvents;
  lastUse: Pick<TokenLastUse, 'mark'>;
  now: () => number;
  /**
   * The digest (hex) of the config's `metrics_token`, a token of any shape (config-metrics-token.ts): accepted
   * through its row like a minted one, so its revocation takes effect the same way.
   */
  configDigest?: string | undefined;
}

export class ApiTokenResolver implements CredentialResolver {
  readonly #o: ApiTokenResolverOptions;
  readonly #cache = new Map<string, Entry>();
  readonly #configDigest: Buffer | null;
  #generation = 0;

  constructor(o: ApiTokenResolverOptions) {
    this.#o = o;
    this.#configDigest = o.configDigest === undefined ? null : Buffer.from(o.configDigest, 'hex');
    o.events.on('access.changed', () => {
      this.#generation++;
      this.#cache.clear();
    });
  }

  bearer(token: string): Promise<Principal | undefined> {
    return this.#resolve(token);
  }

  basic(_username: string, password: string): Promise<Principal | undefined> {
    return this.#resolve(password);
  }

  /** Hashed only when a config token exists: a user's password otherwise costs no digest here. */
  #isConfigToken(secret: string): boolean {
    const config = this.#configDigest;
    return config !== null && timingSafeEqual(Buffer.from(tokenDigest(secret), 'hex'), config);
  }

  async #resolve(secret: string): Promise<Principal | undefined> {
    if (!isWellFormedToken(secret) && !this.#isConfigToken(secret)) return undefined;
    const digest = tokenDigest(secret);
    const now = this.#o.now();
    let entry = this.#cache.get(digest);
    if (entry === undefined || entry.generation !== this.#generation || now - entry.at > CACHE_TTL_MS) {
      // Read before the query: a change published while it runs leaves this entry stale, not the cache wrong.
      const generation = this.#generation;
      const found = await this.#o.repo.byDigest(digest);
      if (found === undefined) {
        this.#cache.delete(digest);
        return undefined;
      }
      entry = { generation, at: now, principal: principalOf(found), expiresAt: found.token.expires_at };
      if (this.#cache.size >= CACHE_MAX) this.#cache.delete(this.#cache.keys().next().value as string);
      this.#cache.set(digest, entry);
    }
    if (entry.principal === undefined) return undefined;
    if (entry.expiresAt !== null && entry.expiresAt <= now) return undefined;
    this.#o.lastUse.mark(entry.principal.tokenId);
    return entry.principal;
  }
}

/** What a stored token acts as now; undefined when it serves nobody. */
function principalOf({ token, owner }: TokenWithOwner): (Principal & { kind: 'token' }) | undefined {
  if (token.revoked_at !== null) return undefined;
  const grants = storedGrants(token.grants);
  if (grants === undefined) return undefined;
  if (token.owner_id === null) {
    return { kind: 'token', tokenId: token.id, name: token.name, ownerId: null, grants };
  }
  if (owner === null || owner.disabled) return undefined;
  const ownerGrants = storedGrants(owner.grants);
  if (ownerGrants === undefined) return undefined;
  return {
    kind: 'token',
    tokenId: token.id,
    name: token.name,
    ownerId: token.owner_id,
    grants: capGrants(grants, ownerGrants),
  };
}
