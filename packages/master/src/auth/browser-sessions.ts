/**
 * Server-side browser sessions: created by a password login (POST /api/v1/session), carried by an HttpOnly cookie
 * whose value the store keeps only as a SHA-256 digest, ended by logout, revocation, idle or absolute expiry, and
 * by their user's password change or disabling. As a credential resolver it turns a live session's cookie into its
 * user, with grants read at every use (a changed grant takes effect at once).
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { BrowserSession, Grant } from '@scrapyard/protocol';
import { storedGrants } from './stored-grants.js';
import type { BrowserSessionsRepo, SessionWithUser } from '../db/repos/browser-sessions.js';
import type { DomainEvents } from '../events/domain-events.js';
import type { CredentialContext, CredentialResolver } from './authenticator.js';
import { LastSeen } from './last-seen.js';
import type { Principal } from './principal.js';
import { deadReason, lastSeenFlushMs, sessionEndsAt } from './session-expiry.js';
import { newSessionSecret, sessionDigest, sessionSecretIn } from './session-cookie.js';

/** Who a password login proved to be. */
export interface SessionUser {
  userId: string;
  name: string;
  grants: readonly Grant[];
}

/**
 * Checks a user's password (the users service: scrypt, the login limiter). Answers undefined for a wrong name or
 * password and for a disabled user alike; throws a CatalogueError (TOO_MANY_LOGINS) when the limiter refuses.
 * Publishes `access.login` with `via: 'session'`, accepted or refused (the users service's `verify(…, 'session')`).
 */
export interface PasswordLogin {
  verify(name: string, password: string, ctx: CredentialContext): Promise<SessionUser | undefined>;
}

export interface BrowserSessionsOptions {
  repo: BrowserSessionsRepo;
  events: DomainEvents;
  logger: Logger;
  now: () => number;
  idleMs: number;
  lifetimeMs: number;
  /** Sessions one user may hold; a login beyond ends the oldest. */
  maxPerUser?: number;
}

/** Where a login comes from, recorded with the session. */
export interface LoginOrigin {
  address: string;
  userAgent: string;
}

const MAX_PER_USER = 20;
const MAX_LISTED = 1_000;
const PRUNE_MS = 60_000;
const GRANTS_CACHED = 1_000;
const USER_AGENT_MAX = 200;

export class BrowserSessions {
  readonly #o: BrowserSessionsOptions;
  readonly #lastSeen: LastSeen;
  readonly #flushMs: number;
  /** Parsed grants by user, valid while the user's updated_at is unchanged. */
  readonly #grants = new Map<string, { updatedAt: number; grants: readonly Grant[] }>();
  #unsubscribe: (() => void) | undefined;
  #prune: NodeJS.Timeout | undefined;

  constructor(o: BrowserSessionsOptions) {
    this.#o = o;
    this.#flushMs = lastSeenFlushMs(o.idleMs);
    this.#lastSeen = new LastSeen({
      flushMs: this.#flushMs,
      write: (ids, at) => o.repo.touch(ids, at),
      onError: (e) => o.logger.warn({ err: e }, 'recording the last use of browser sessions failed'),
    });
  }

  /** The cookie resolver of the authenticator. */
  readonly resolver: CredentialResolver = {
    cookie: (header, ctx) => this.resolve(header, ctx),
  };

  start(): void {
    this.#lastSeen.start();
    // A password change or a disabled user ends that user's sessions (also refused at use: see session-expiry.ts).
    this.#unsubscribe = this.#o.events.on('access.changed', (e) => {
      if (e.entity !== 'user' || !['password-changed', 'disabled', 'deleted'].includes(e.change)) return;
      this.endForUser({ userId: e.id, name: e.name }, e.change).catch((err: unknown) =>
        this.#o.logger.warn({ err, userId: e.id }, 'ending the sessions of a user failed'),
      );
    });
    this.#prune = setInterval(() => void this.prune(), PRUNE_MS).unref();
  }

  async stop(): Promise<void> {
    this.#unsubscribe?.();
    clearInterval(this.#prune);
    await this.#lastSeen.stop();
  }

  /** A new session for a user whose password was just checked; returns the cookie's value (shown only here). */
  async create(user: SessionUser, from: LoginOrigin): Promise<{ secret: string; session: BrowserSession }> {
    const now = this.#o.now();
    const secret = newSessionSecret();
    const row = {
      id: `ses_${randomBytes(12).toString('base64url')}`,
      digest: sessionDigest(secret),
      user_id: user.userId,
      address: from.address.slice(0, 100),
      user_agent: from.userAgent.slice(0, USER_AGENT_MAX),
      created_at: now,
      last_seen_at: now,
      expires_at: now + this.#o.lifetimeMs,
    };
    await this.#o.repo.insert(row);
    const evicted = await this.#o.repo.evictBeyond(user.userId, this.#o.maxPerUser ?? MAX_PER_USER, row.id);
    for (const id of evicted) this.#revoked(id, user, 'evicted');
    this.#o.events.publish({
      type: 'access.changed',
      entity: 'session',
      id: row.id,
      name: user.name,
      change: 'created',
      userId: user.userId,
      summary: { address: row.address, userAgent: row.user_agent },
    });
    return { secret, session: this.#view({ ...row, user_name: user.name }, row.id) };
  }

  /** The user of a live session's cookie; undefined for no, a malformed or a dead session. */
  async resolve(cookieHeader: string, _ctx: CredentialContext): Promise<Principal | undefined> {
    const secret = sessionSecretIn(cookieHeader);
    if (secret === undefined) return undefined;
    const row = await this.#o.repo.byDigest(sessionDigest(secret));
    if (row === undefined) return undefined;
    const now = this.#o.now();
    const times = { createdAt: row.created_at, lastSeenAt: this.#lastSeenOf(row), expiresAt: row.expires_at };
    const owner = { disabled: row.user_disabled !== 0, passwordChangedAt: row.user_password_changed_at };
    const dead = deadReason(times, owner, now, this.#o.idleMs);
    if (dead !== null) {
      this.#lastSeen.forget(row.id);
      await this.#o.repo.delete(row.id);
      return undefined;
    }
    const grants = this.#grantsOf(row.user_id, row.user_updated_at, row.user_grants);
    if (grants === undefined) return undefined;
    this.#lastSeen.seen(row.id, now);
    return { kind: 'user', userId: row.user_id, name: row.user_name, grants, sessionId: row.id };
  }

  /** One session as its owner sees it. */
  async get(id: string, currentId?: string): Promise<BrowserSession | undefined> {
    const row = await this.#o.repo.get(id);
    return row && this.#view(row, currentId);
  }

  /** Sessions of a user (id or name), or of everyone, newest first. */
  async list(user: string | undefined, currentId?: string): Promise<BrowserSession[]> {
    const rows = await this.#o.repo.list(user, MAX_LISTED);
    return rows.map((r) => this.#view(r, currentId));
  }

  /** Logout: ends the session of this cookie value, if it is one. */
  async logout(secret: string): Promise<void> {
    const row = await this.#o.repo.byDigest(sessionDigest(secret));
    if (row !== undefined) await this.revoke(row.id, 'logout');
  }

  /** Ends a session at once; false when there was none. */
  async revoke(id: string, reason: string): Promise<boolean> {
    const row = await this.#o.repo.get(id);
    if (row === undefined || !(await this.#o.repo.delete(id))) return false;
    this.#lastSeen.forget(id);
    this.#revoked(id, { userId: row.user_id, name: row.user_name }, reason);
    return true;
  }

  /** Ends every session of a user (password changed, disabled, deleted). */
  async endForUser(user: { userId: string; name: string }, reason: string): Promise<number> {
    const ids = await this.#o.repo.deleteForUser(user.userId);
    for (const id of ids) {
      this.#lastSeen.forget(id);
      this.#revoked(id, user, reason);
    }
    return ids.length;
  }

  /** Deletes expired and idle sessions (after writing the last uses noted here). */
  async prune(): Promise<void> {
    try {
      await this.#lastSeen.flush();
      const now = this.#o.now();
      // Another master's uses may be up to one flush behind in the store: spare those.
      await this.#o.repo.prune(now, now - this.#o.idleMs - this.#flushMs);
    } catch (e) {
      this.#o.logger.warn({ err: e }, 'pruning browser sessions failed');
    }
  }

  #lastSeenOf(row: { id: string; last_seen_at: number }): number {
    return Math.max(row.last_seen_at, this.#lastSeen.latest(row.id) ?? 0);
  }

  #grantsOf(userId: string, updatedAt: number, json: string): readonly Grant[] | undefined {
    const cached = this.#grants.get(userId);
    if (cached?.updatedAt === updatedAt) return cached.grants;
    const grants = storedGrants(json);
    if (grants === undefined) {
      this.#o.logger.warn({ userId }, "a user's stored grants are unreadable: their sessions are refused");
      return undefined;
    }
    if (this.#grants.size >= GRANTS_CACHED) this.#grants.clear();
    this.#grants.set(userId, { updatedAt, grants });
    return grants;
  }

  #revoked(id: string, user: { userId: string; name: string }, reason: string): void {
    this.#o.events.publish({
      type: 'access.changed',
      entity: 'session',
      id,
      name: user.name,
      change: 'revoked',
      userId: user.userId,
      summary: { reason },
    });
  }

  #view(r: SessionWithUser, currentId: string | undefined): BrowserSession {
    const lastSeenAt = this.#lastSeenOf(r);
    return {
      id: r.id,
      userId: r.user_id,
      userName: r.user_name,
      address: r.address,
      userAgent: r.user_agent,
      createdAt: r.created_at,
      lastSeenAt,
      expiresAt: sessionEndsAt({ createdAt: r.created_at, lastSeenAt, expiresAt: r.expires_at }, this.#o.idleMs),
      absoluteExpiresAt: r.expires_at,
      current: r.id === currentId,
    };
  }
}
