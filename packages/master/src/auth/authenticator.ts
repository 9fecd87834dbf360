/**
 * Who is calling, and what they may do: the one place every HTTP surface asks. `identify` turns the
 * Authorization header into a principal; `allows` decides per capability. Users and API tokens (a later issue)
 * become new principal kinds here, without touching the routes, which only name the capability they need.
 *
 * - `scrapyd-user`: the configured basic-auth pair (Scrapyd's semantics). It may also administer, as before
 *   there were admin tokens.
 * - `admin`: the admin token of `<data_dir>/admin-token`.
 * - `node`: an agent's session token (given in WELCOME), for egg downloads. The WebSocket handshake that creates
 *   sessions stays in the gateway.
 * - `metrics-scraper`: the `metrics_token` (a Prometheus server's bearer token); it may read /metrics, nothing else.
 * - `anonymous`: anything else, including wrong credentials (which must not be told apart from none).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createBasicAuth, type BasicAuthCheck } from '../scrapyd/basic-auth.js';
import { ADMIN_TOKEN_FORMAT } from './admin-token.js';

export type Principal =
  | { kind: 'anonymous' }
  | { kind: 'scrapyd-user'; username: string }
  | { kind: 'admin'; via: 'admin-token' }
  | { kind: 'node'; nodeId: string }
  | { kind: 'metrics-scraper' };

/**
 * - `scrapyd`: the Scrapyd API, its pages and trees; `read`: REST reads. Both open to all when no basic-auth
 *   credentials are configured (Scrapyd's default), else for credential holders.
 * - `admin`: every state-changing REST call (nodes, enrollment, policies, jobs).
 * - `node`: agent-facing downloads.
 * - `metrics`: the Prometheus exposition: whoever may `read`, or the holder of the metrics token.
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
  /** The scrape token of /metrics (`metrics_token`); empty or absent: none. */
  metricsToken?: string;
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
  readonly #metricsDigest: Buffer | null;

  constructor(o: AuthenticatorOptions) {
    if (!ADMIN_TOKEN_FORMAT.test(o.adminToken)) throw new Error('admin token is malformed');
    this.basicAuthEnabled = o.username !== '' && o.password !== '';
    this.#basic = this.basicAuthEnabled ? createBasicAuth(o.username, o.password) : null;
    this.#username = o.username;
    this.#adminDigest = digest(o.adminToken);
    this.#nodeFor = o.nodeForSessionToken;
    this.#metricsDigest = o.metricsToken ? digest(o.metricsToken) : null;
  }

  identify(authorization: string | undefined): Principal {
    if (authorization === undefined) return ANONYMOUS;
    const space = authorization.indexOf(' ');
    const scheme = (space === -1 ? authorization : authorization.slice(0, space)).toLowerCase();
    if (scheme === 'basic') {
      return this.#basic?.(authorization) ? { kind: 'scrapyd-user', username: this.#username } : ANONYMOUS;
    }
    if (scheme !== 'bearer' || space === -1) return ANONYMOUS;
    const token = authorization.slice(space + 1).trim();
    const isAdmin = token.startsWith('adm_') && timingSafeEqual(digest(token), this.#adminDigest);
    if (isAdmin) return ADMIN;
    // Whatever its shape (the operator chooses it), but never in place of the admin token.
    if (this.#metricsDigest && timingSafeEqual(digest(token), this.#metricsDigest)) return METRICS_SCRAPER;
    if (token.startsWith('adm_')) return ANONYMOUS;
    if (SESSION_TOKEN.test(token)) {
      const nodeId = this.#nodeFor(token);
      if (nodeId !== undefined) return { kind: 'node', nodeId };
    }
    return ANONYMOUS;
  }

  allows(p: Principal, capability: Capability): boolean {
    switch (capability) {
      case 'scrapyd':
      case 'read':
        return !this.basicAuthEnabled || p.kind === 'scrapyd-user' || p.kind === 'admin';
      case 'admin':
        return p.kind === 'scrapyd-user' || p.kind === 'admin';
      case 'node':
        return p.kind === 'node';
      case 'metrics':
        return p.kind === 'metrics-scraper' || this.allows(p, 'read');
    }
  }
}

const ANONYMOUS: Principal = Object.freeze({ kind: 'anonymous' });
const ADMIN: Principal = Object.freeze({ kind: 'admin', via: 'admin-token' });
const METRICS_SCRAPER: Principal = Object.freeze({ kind: 'metrics-scraper' });
