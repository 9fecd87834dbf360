/**
 * CSRF defence of browser sessions. A request whose principal came from the session cookie (no Authorization
 * header) and that may change state must show it was sent by the master's own pages: Fetch Metadata
 * (`Sec-Fetch-Site: same-origin`, or `none` for what the user typed), else an `Origin` that is the master's own,
 * else (older browsers and tools that send neither) the session's `X-CSRF-Token`. Basic and bearer credentials are
 * not sent by browsers on their own, so they are not checked here (the root cross-site guard still applies).
 * SameSite=Strict already keeps the cookie off other sites' requests; this holds even where it doesn't (same-site
 * subdomains, old browsers).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import type { Authenticator } from './authenticator.js';
import { csrfTokenOf, sessionSecretIn } from './session-cookie.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** What the decision reads of a request. */
export interface CsrfRequest {
  method: string;
  host: string | undefined;
  origin: string | undefined;
  fetchSite: string | undefined;
  token: string | undefined;
}

/** Why a cookie-carried request is refused, or null when it passes. `ownOrigin`: public_url's origin, if any. */
export function csrfRefusal(r: CsrfRequest, expectedToken: string, ownOrigin: string | undefined): string | null {
  if (SAFE_METHODS.has(r.method)) return null;
  if (r.fetchSite !== undefined) {
    return r.fetchSite === 'same-origin' || r.fetchSite === 'none'
      ? null
      : `Sec-Fetch-Site: ${r.fetchSite.slice(0, 50)}`;
  }
  if (r.origin !== undefined) {
    return isOwnOrigin(r.origin, r.host, ownOrigin) ? null : `Origin ${r.origin.slice(0, 200)}`;
  }
  if (r.token === undefined) return 'no Sec-Fetch-Site, Origin or X-CSRF-Token header';
  return sameSecret(r.token, expectedToken) ? null : 'wrong X-CSRF-Token';
}

function isOwnOrigin(origin: string, host: string | undefined, ownOrigin: string | undefined): boolean {
  if (origin === ownOrigin) return true;
  if (!URL.canParse(origin)) return false;
  const u = new URL(origin);
  return /^https?:$/.test(u.protocol) && u.host !== '' && u.host === host && u.origin === origin;
}

function sameSecret(given: string, expected: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected));
}

const header = (req: FastifyRequest, name: string) => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

/** The root hook: refuses (403 CSRF_FAILED) a state-changing request carried by a session cookie that fails. */
export function csrfGuard(o: { auth: Authenticator; publicUrl: string }): onRequestAsyncHookHandler {
  const ownOrigin = o.publicUrl === '' ? undefined : new URL(o.publicUrl).origin;
  return async (req, reply) => {
    if (SAFE_METHODS.has(req.method) || req.headers.authorization !== undefined) return;
    const secret = sessionSecretIn(req.headers.cookie);
    if (secret === undefined) return;
    const principal = (req.principal ??= await o.auth.identify(req.headers, { address: req.ip }));
    if (principal.kind !== 'user' || principal.sessionId === undefined) return;
    const why = csrfRefusal(
      {
        method: req.method,
        host: req.headers.host,
        origin: header(req, 'origin'),
        fetchSite: header(req, 'sec-fetch-site'),
        token: header(req, 'x-csrf-token'),
      },
      csrfTokenOf(secret),
      ownOrigin,
    );
    if (why === null) return;
    req.log.warn({ method: req.method, url: req.url.split('?')[0], why }, 'CSRF check refused a session request');
    const message = `refused a ${req.method} carried by a session cookie (${why}): send it from the master's own pages, or with the X-CSRF-Token that GET /api/v1/session gives`;
    await reply.code(403).send({ status: 'error', message, error: { code: 'CSRF_FAILED', message } });
  };
}
