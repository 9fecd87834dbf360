/**
 * Users signing in with a name and a password (basic auth on every surface; the session login asks `verify`).
 *
 * A password is hashed once, not per request: a verified credential is kept (by an HMAC of name and password
 * under a key of this process, never the password) with the user's stored hash and `updated_at`. A change made
 * here (password, grants, disable, delete) drops the user's entries at once (`access.changed`); a change made by
 * another process is seen at the next check against the database, at most `recheckMs` later, which reads one row
 * and hashes nothing while hash and generation are unchanged. Failures go through the login limiter; an unknown
 * name is answered like a wrong password, after hashing a dummy, so neither the answer nor its time tells.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { PASSWORD_MAX_LENGTH } from '@scrapyard/protocol';
import { storedGrants } from './stored-grants.js';
import type { Logger } from 'pino';
import type { UserRow, UsersRepo } from '../db/repos/users.js';
import type { DomainEvents } from '../events/domain-events.js';
import type { CredentialContext, CredentialResolver } from './authenticator.js';
import type { LoginLimiter } from './login-limiter.js';
import type { PasswordHasher } from './passwords.js';
import type { Principal } from './principal.js';

export type UserPrincipal = Extract<Principal, { kind: 'user' }>;

interface Verified {
  principal: UserPrincipal;
  hash: string;
  updatedAt: number;
  checkedAt: number;
}

/** Longest name looked up; longer ones are nobody's (the protocol's UserName allows 64). */
const NAME_MAX = 200;

export interface UserLoginsDeps {
  repo: UsersRepo;
  hasher: PasswordHasher;
  limiter: LoginLimiter;
  events: DomainEvents;
  logger: Logger;
  now: () => number;
  /** How long a verified credential is trusted before its row is read again (changes by other processes). */
  recheckMs?: number;
  /** Verified credentials kept at most. */
  cacheMax?: number;
}

/** A user's grants; none when the stored ones are unreadable. */
export function grantsOfRow(row: UserRow): UserPrincipal['grants'] {
  return storedGrants(row.grants) ?? [];
}

export class UserLogins {
  readonly #d: UserLoginsDeps;
  readonly #key = randomBytes(32);
  readonly #verified = new Map<string, Verified>();
  readonly #inflight = new Map<string, Promise<UserPrincipal | undefined>>();
  readonly #recheckMs: number;
  readonly #cacheMax: number;
  #users = 0;
  #countedAt = -Infinity;
  #counting = false;

  /** The resolver the Authenticator asks for basic-auth pairs. */
  readonly resolver: CredentialResolver = { basic: (name, password, ctx) => this.verify(name, password, ctx) };

  constructor(d: UserLoginsDeps) {
    this.#d = d;
    this.#recheckMs = d.recheckMs ?? 5_000;
    this.#cacheMax = d.cacheMax ?? 1_024;
    d.events.on('access.changed', (e) => {
      if (e.entity !== 'user') return;
      this.#forget(e.id);
      // A user just created may sign in at once (the recount that follows is in the background).
      if (e.change === 'created') {
        this.#users = Math.max(this.#users, 1);
        this.#prepareHasher();
      }
      if (e.change === 'created' || e.change === 'deleted') this.#countedAt = -Infinity;
    });
  }

  async start(): Promise<void> {
    this.#users = await this.#d.repo.count();
    this.#countedAt = this.#d.now();
    if (this.#users > 0) this.#prepareHasher();
  }

  /**
   * The dummy hash is made before the first unknown name, so that one takes no longer than the others; only once
   * a user exists: its scrypt takes 128 MiB for a moment, which a master without users need not spend at each
   * start (bench idle: the master's RSS peaked at over 200 MB).
   */
  #prepareHasher(): void {
    void this.#d.hasher.prepare().catch((e: unknown) => this.#d.logger.warn({ err: e }, 'preparing the hasher failed'));
  }

  /**
   * Whether any user exists (the API then closes to strangers). Read from memory on every request; counted again
   * in the background when older than the recheck time (a user added by `user add` on the master host).
   */
  hasUsers = (): boolean => {
    if (this.#d.now() - this.#countedAt >= this.#recheckMs && !this.#counting) {
      this.#counting = true;
      this.#d.repo
        .count()
        .then((n) => {
          this.#users = n;
          this.#countedAt = this.#d.now();
          if (n > 0) this.#prepareHasher();
        })
        .catch((e: unknown) => this.#d.logger.warn({ err: e }, 'counting users failed'))
        .finally(() => (this.#counting = false));
    }
    return this.#users > 0;
  };

  /**
   * The user whose name and password these are, or undefined (wrong password, unknown or disabled user: one
   * answer). Throws TooManyLogins while the name or the address is locked.
   */
  async verify(
    name: string,
    password: string,
    ctx: CredentialContext,
    via: 'basic' | 'session' = 'basic',
  ): Promise<UserPrincipal | undefined> {
    if (name.length > NAME_MAX || password.length > PASSWORD_MAX_LENGTH || name === '') return undefined;
    // No user at all: nothing to guess, so no hash to spend (a wrong built-in pair lands here on every request).
    if (!this.hasUsers()) return undefined;
    this.#d.limiter.check(name, ctx.address);
    const key = createHmac('sha256', this.#key).update(name).update('\0').update(password).digest('base64');
    const hit = this.#verified.get(key);
    if (hit && this.#d.now() - hit.checkedAt < this.#recheckMs) {
      // Most recently used last: the oldest are dropped first when the cache is full.
      this.#verified.delete(key);
      this.#verified.set(key, hit);
      if (via === 'session') this.#loginEvent(true, name, ctx, via, null);
      return hit.principal;
    }
    let pending = this.#inflight.get(key);
    if (!pending) {
      pending = this.#check(key, name, password, ctx, via, hit).finally(() => this.#inflight.delete(key));
      this.#inflight.set(key, pending);
    }
    return pending;
  }

  /** Whether `password` is this user's (a password change proving the old one): limited, no login event. */
  async passwordMatches(name: string, password: string, ctx: CredentialContext): Promise<boolean> {
    this.#d.limiter.check(name, ctx.address);
    const row = await this.#d.repo.byName(name);
    const { ok } = await this.#d.hasher.verify(password, row?.password_hash);
    if (!ok) this.#d.limiter.failed(name, ctx.address);
    return ok;
  }

  async #check(
    key: string,
    name: string,
    password: string,
    ctx: CredentialContext,
    via: 'basic' | 'session',
    hit: Verified | undefined,
  ): Promise<UserPrincipal | undefined> {
    const row = await this.#d.repo.byName(name);
    const now = this.#d.now();
    // Same user, same hash, still enabled: the password still matches; take the grants as they are now.
    if (hit && row && row.id === hit.principal.userId && row.password_hash === hit.hash && row.disabled === 0) {
      if (row.updated_at !== hit.updatedAt) hit.principal = { ...hit.principal, grants: grantsOfRow(row) };
      hit.updatedAt = row.updated_at;
      hit.checkedAt = now;
      return hit.principal;
    }
    const { ok, outdated } = await this.#d.hasher.verify(password, row?.password_hash);
    const refused = !row ? 'unknown-user' : !ok ? 'wrong-password' : row.disabled !== 0 ? 'disabled' : null;
    if (refused || !row) {
      this.#verified.delete(key);
      const locked = this.#d.limiter.failed(name, ctx.address);
      this.#loginEvent(false, name, ctx, via, locked ? `${refused}; now locked` : refused);
      return undefined;
    }
    this.#d.limiter.succeeded(name);
    const principal: UserPrincipal = { kind: 'user', userId: row.id, name: row.name, grants: grantsOfRow(row) };
    const entry: Verified = { principal, hash: row.password_hash, updatedAt: row.updated_at, checkedAt: now };
    this.#remember(key, entry);
    this.#loginEvent(true, name, ctx, via, null);
    if (outdated) void this.#upgrade(row, password, entry);
    return principal;
  }

  #remember(key: string, entry: Verified): void {
    this.#verified.delete(key);
    this.#verified.set(key, entry);
    while (this.#verified.size > this.#cacheMax) this.#verified.delete(this.#verified.keys().next().value!);
  }

  #forget(userId: string): void {
    for (const [key, v] of this.#verified) if (v.principal.userId === userId) this.#verified.delete(key);
  }

  /** A hash made at an older cost is made again at the current one (the password is at hand only now). */
  async #upgrade(row: UserRow, password: string, entry: Verified): Promise<void> {
    try {
      const hash = await this.#d.hasher.hash(password);
      if (await this.#d.repo.upgradeHash(row.id, row.password_hash, hash)) {
        entry.hash = hash;
        this.#d.logger.info({ user: row.name }, 'password hash upgraded to the current cost');
      }
    } catch (e) {
      this.#d.logger.warn({ err: e, user: row.name }, 'upgrading a password hash failed');
    }
  }

  #loginEvent(ok: boolean, name: string, ctx: CredentialContext, via: 'basic' | 'session', reason: string | null) {
    this.#d.events.publish({
      type: 'access.login',
      ok,
      username: name.slice(0, 200),
      address: ctx.address,
      via,
      reason,
    });
  }
}
