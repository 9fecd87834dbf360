/**
 * Who is calling, and what they may do: the one place every HTTP surface asks. `identify` turns a request's
 * credentials into a principal (principal.ts); `allows` decides per capability through the role table
 * (roles.ts). Users, API tokens and browser sessions plug in as credential resolvers, so routes never change when
 * a new kind of credential arrives: they only name what they need.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createBasicAuth, decodeBasic, type BasicAuthCheck } from '../scrapyd/basic-auth.js';
import { ADMIN_TOKEN_FORMAT } from './admin-token.js';
import { grantsOf, type Principal } from './principal.js';
import { grantsAllow } from './roles.js';

export type { Principal } from './principal.js';

/** Where a request comes from, for limits and the audit log. */
export interface CredentialContext {
  address: string;
}

/**
 * One kind of credential beyond the built-in ones (users' passwords, API tokens, browser sessions). Each answers
 * undefined for what is not its own; the first principal found wins. Never throws for bad credentials.
 */
export interface CredentialResolver {
  /** A basic-auth pair other than the config's built-in admin (a user's password, or a token as password). */
  basic?(username: string, password: string, ctx: CredentialContext): Promise<Principal | undefined>;
  /** A bearer token other than the admin token and agents' session tokens. */
  bearer?(token: string, ctx: CredentialContext): Promise<Principal | undefined>;
  /** The Cookie header of a request without an Authorization header (browser sessions). */
  cookie?(cookieHeader: string, ctx: CredentialContext): Promise<Principal | undefined>;
}

/** The headers identify reads. */
export interface CredentialHeaders {
  authorization?: string | undefined;
  cookie?: string | undefined;
}

/**
 * - `scrapyd`: the Scrapyd API, its pages and trees; `read`: REST reads. Both open to all when no basic-auth
 *   credentials are configured (Scrapyd's default), else for credential holders.
 * - `admin`: every state-changing REST call (nodes, enrollment, policies, jobs).
 * - `node`: agent-facing downloads.
 * - `metrics`: the Prometheus exposition: whoever may `read`, or a token of role `metrics` (the config's
 *   `metrics_token` is one: config-metrics-token.ts).
 */
export type Capability = 'scrapyd' | 'read' | 'admin' | 'node' | 'metrics';

export interface AuthenticatorOptions {
  /** Basic-auth pair; both empty = basic auth off (config refuses one without the other). */
  username: string;
  password: string;
  /** The admin token (see admin-token.ts). */
  adminToken: string;
  /** The node whose live session holds this 64-hex token, if any. */
  nodeForSessionToken: (token: string) => string | undefined;
  /** Users, tokens, sessions: asked in order after the built-in credentials. */
  resolvers?: readonly CredentialResolver[];
  /** Whether any user exists: then the API is closed to strangers even without the config's basic-auth pair. */
  hasUsers?: () => boolean;
  /** The built-in pair's username came with a wrong password (and no resolver took it): a failed login. */
  onBuiltInRefused?: (username: string, ctx: CredentialContext) => void;
}

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
const SESSION_TOKEN = /^[0-9a-f]{64}$/;

export class Authenticator {
  readonly basicAuthEnabled: boolean;
  readonly #basic: BasicAuthCheck | null;
  readonly #username: string;
  // Only a digest is kept; comparing fixed-size digests in constant time tells nothing about the token.
  readonly #adminDigest: Buffer;
  readonly #nodeFor: (token: string) => string | undefined;
  readonly #resolvers: readonly CredentialResolver[];
  readonly #hasUsers: () => boolean;
  readonly #onBuiltInRefused: AuthenticatorOptions['onBuiltInRefused'];

  constructor(o: AuthenticatorOptions) {
    if (!ADMIN_TOKEN_FORMAT.test(o.adminToken)) throw new Error('admin token is malformed');
    this.basicAuthEnabled = o.username !== '' && o.password !== '';
    this.#basic = this.basicAuthEnabled ? createBasicAuth(o.username, o.password) : null;
    this.#username = o.username;
    this.#adminDigest = digest(o.adminToken);
    this.#nodeFor = o.nodeForSessionToken;
    this.#resolvers = o.resolvers ?? [];
    this.#hasUsers = o.hasUsers ?? (() => false);
    this.#onBuiltInRefused = o.onBuiltInRefused;
  }

  /** Scrapyd's default: no credentials configured and no users, so the Scrapyd API and REST reads are open. */
  get open(): boolean {
    return !this.basicAuthEnabled && !this.#hasUsers();
  }

  async identify(headers: CredentialHeaders, ctx: CredentialContext): Promise<Principal> {
    const builtIn = this.#identifyBuiltIn(headers.authorization);
    if (builtIn !== undefined) return builtIn;
    const authorization = headers.authorization;
    if (authorization === undefined) {
      if (headers.cookie === undefined) return ANONYMOUS;
      for (const r of this.#resolvers) {
        const p = await r.cookie?.(headers.cookie, ctx);
        if (p !== undefined) return p;
      }
      return ANONYMOUS;
    }
    const space = authorization.indexOf(' ');
    const scheme = (space === -1 ? authorization : authorization.slice(0, space)).toLowerCase();
    if (scheme === 'basic') {
      const pair = decodeBasic(authorization);
      if (pair === undefined) return ANONYMOUS;
      for (const r of this.#resolvers) {
        const p = await r.basic?.(pair.username, pair.password, ctx);
        if (p !== undefined) return p;
      }
      if (this.basicAuthEnabled && pair.username === this.#username) this.#onBuiltInRefused?.(pair.username, ctx);
      return ANONYMOUS;
    }
    if (scheme !== 'bearer' || space === -1) return ANONYMOUS;
    const token = authorization.slice(space + 1).trim();
    for (const r of this.#resolvers) {
      const p = await r.bearer?.(token, ctx);
      if (p !== undefined) return p;
    }
    return ANONYMOUS;
  }

  /** The config's pair, the admin token, agents' sessions; undefined: ask the resolvers. */
  #identifyBuiltIn(authorization: string | undefined): Principal | undefined {
    if (authorization === undefined) return undefined;
    const space = authorization.indexOf(' ');
    const scheme = (space === -1 ? authorization : authorization.slice(0, space)).toLowerCase();
    if (scheme === 'basic') {
      return this.#basic?.(authorization) ? { kind: 'scrapyd-user', username: this.#username } : undefined;
    }
    if (scheme !== 'bearer' || space === -1) return undefined;
    const token = authorization.slice(space + 1).trim();
    const isAdmin = token.startsWith('adm_') && timingSafeEqual(digest(token), this.#adminDigest);
    if (isAdmin) return ADMIN;
    if (token.startsWith('adm_')) return ANONYMOUS;
    if (SESSION_TOKEN.test(token)) {
      const nodeId = this.#nodeFor(token);
      if (nodeId !== undefined) return { kind: 'node', nodeId };
    }
    return undefined;
  }

  allows(p: Principal, capability: Capability): boolean {
    switch (capability) {
      case 'scrapyd':
      case 'read':
        return this.open || grantsAllow(grantsOf(p), 'read');
      case 'admin':
        return grantsAllow(grantsOf(p), 'admin');
      case 'node':
        return p.kind === 'node';
      case 'metrics':
        return grantsAllow(grantsOf(p), 'metrics') || this.allows(p, 'read');
    }
  }
}

const ANONYMOUS: Principal = Object.freeze({ kind: 'anonymous' });
const ADMIN: Principal = Object.freeze({ kind: 'admin', via: 'admin-token' });
