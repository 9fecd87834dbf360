/**
 * The authenticator as Fastify onRequest hooks: they run before any body is read, so a refused caller can't make
 * the master buffer (or even parse) an upload. Each surface answers in its own dialect: Twisted's exact 401 for
 * the Scrapyd surface, `{"error":{code,message}}` for the REST and agent APIs.
 */
import type { FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import { CatalogueError } from '@scrapyard/protocol';
import { UNAUTHORIZED_REPLY } from '../scrapyd/basic-auth.js';
import type { Authenticator, Capability, Principal } from './authenticator.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the surface's auth hook: who is calling. */
    principal?: Principal;
  }
}

/** Methods that never change state; every other method of the REST API needs the admin capability. */
const READ_METHODS = new Set(['GET', 'HEAD']);
/** REST routes any signed-in principal may call: the handler checks who (a user changing their own password). */
const SELF_SERVICE = new Set(['/api/v1/users/me/password']);
/** Methods a browser sends without changing anything (CORS preflights included). */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface CrossSiteOptions {
  /** `cors_origins`: its listed origins may also change state from a browser (`*` lets every origin read only). */
  corsOrigins: readonly string[];
  /** `public_url`: the master's own origin as browsers reach it (behind a proxy that rewrites Host). */
  publicUrl: string;
}

/**
 * Refuses a state-changing request (POST, PUT, PATCH, DELETE…) that a browser sent from another site: a page
 * elsewhere can make a visitor's browser POST a form or a `text/plain` body to the master (no preflight), with the
 * basic-auth credentials the browser holds, or to a loopback master that needs none. Browsers say where a request
 * comes from: `Origin` on every cross-origin POST, and `Sec-Fetch-Site`. Allowed: no `Origin` at all (curl,
 * scrapyd-deploy, python-scrapyd-api, ScrapydWeb and Gerapy calling from their servers), the master's own origin
 * (its Host, or `public_url`), and origins listed in `cors_origins` by name. Registered on the root, so it covers
 * every surface (and every route added later) before any body is read.
 */
export function crossSiteGuard(o: CrossSiteOptions): onRequestAsyncHookHandler {
  const trusted = new Set(o.corsOrigins.filter((x) => x !== '*'));
  if (o.publicUrl !== '') trusted.add(new URL(o.publicUrl).origin);
  return async (req, reply) => {
    if (SAFE_METHODS.has(req.method)) return;
    const why = crossSiteReason(req, trusted);
    if (why === null) return;
    req.log.warn({ method: req.method, url: req.url.split('?')[0], why }, 'cross-site request refused');
    const message = `refused a ${req.method} from another site (${why}); a browser dashboard on another origin must be listed in cors_origins`;
    await reply.code(403).send({ status: 'error', message, error: { code: 'CROSS_SITE_REQUEST', message } });
  };
}

/** Why the request comes from a site that may not change state here, or null when it may. */
function crossSiteReason(req: FastifyRequest, trusted: ReadonlySet<string>): string | null {
  const origin = req.headers.origin;
  if (origin !== undefined) {
    if (trusted.has(origin)) return null;
    // `null` (sandboxed frames, file: pages, redirects across origins) is never this master.
    if (URL.canParse(origin)) {
      const u = new URL(origin);
      if (/^https?:$/.test(u.protocol) && u.host !== '' && u.host === req.headers.host) return null;
    }
    return `Origin ${origin.slice(0, 200)}`;
  }
  const site = req.headers['sec-fetch-site'];
  // Without Origin, only a browser sends Sec-Fetch-Site; same-origin and user-initiated (`none`) are fine.
  if (site === 'cross-site' || site === 'same-site') return `Sec-Fetch-Site: ${site}`;
  return null;
}

export function scrapydGuard(auth: Authenticator) {
  /** True when the request may not see the Scrapyd surface (also used by its 404 handler). */
  const denied = async (req: FastifyRequest) => !auth.allows(await identify(auth, req), 'scrapyd');
  const hook: onRequestAsyncHookHandler = async (req, reply) => {
    try {
      if (await denied(req)) await reply.code(401).headers(UNAUTHORIZED_REPLY.headers).send(UNAUTHORIZED_REPLY.body);
    } catch (e) {
      // A name or address locked by the login limiter (or too many password checks at once): the same answer
      // whether the user exists.
      if (!(e instanceof CatalogueError) || e.code !== 'TOO_MANY_LOGINS') throw e;
      const retry = String(e.details?.retryAfterSeconds ?? 1);
      await reply.code(429).header('retry-after', retry).type('text/plain').send(e.message);
    }
  };
  return { hook, denied };
}

/** REST API: reads need `read`, anything else `admin`, so a new state-changing route is guarded by default. */
export function apiGuard(auth: Authenticator): onRequestAsyncHookHandler {
  return async (req, reply) => {
    if (SELF_SERVICE.has(req.routeOptions.url ?? '')) {
      await identify(auth, req);
      return;
    }
    const capability: Capability = READ_METHODS.has(req.method) ? 'read' : 'admin';
    await refuseUnless(auth, req, reply, capability);
  };
}

/** The Prometheus exposition (/metrics): REST readers, or a scraper holding the metrics token. */
export function metricsGuard(auth: Authenticator): onRequestAsyncHookHandler {
  return async (req, reply) => {
    await refuseUnless(auth, req, reply, 'metrics');
  };
}

/** Agent-facing HTTP: a live session's token. */
export function nodeGuard(auth: Authenticator): onRequestAsyncHookHandler {
  return async (req, reply) => {
    await refuseUnless(auth, req, reply, 'node');
  };
}

async function identify(auth: Authenticator, req: FastifyRequest): Promise<Principal> {
  return (req.principal ??= await auth.identify(req.headers, { address: req.ip }));
}

async function refuseUnless(
  auth: Authenticator,
  req: FastifyRequest,
  reply: FastifyReply,
  capability: Capability,
): Promise<void> {
  const principal = await identify(auth, req);
  if (auth.allows(principal, capability)) return;
  if (principal.kind !== 'anonymous') {
    req.log.warn({ principal: principal.kind, capability, url: req.url.split('?')[0] }, 'request refused');
    await reply.code(403).send({
      error: { code: 'FORBIDDEN', message: `a ${principal.kind} may not ${DOES[capability]}` },
    });
    return;
  }
  const challenges = [...(auth.basicAuthEnabled ? ['Basic realm="Scrapyard"'] : []), 'Bearer realm="Scrapyard"'];
  await reply
    .code(401)
    .header('www-authenticate', challenges.join(', '))
    .send({ error: { code: 'UNAUTHORIZED', message: unauthorizedMessage(auth, capability) } });
}

const DOES: Record<Capability, string> = {
  scrapyd: 'use the Scrapyd API',
  read: 'read the REST API',
  admin: 'change state through the REST API',
  node: 'download eggs',
  metrics: 'read metrics',
};

function unauthorizedMessage(auth: Authenticator, capability: Capability): string {
  if (capability === 'node') return 'missing or invalid agent session token';
  if (capability === 'metrics') {
    return 'missing or wrong credentials: the metrics token (`Authorization: Bearer <metrics_token>`) or HTTP basic auth';
  }
  if (capability !== 'admin') return 'missing or wrong credentials (HTTP basic auth)';
  const token =
    'the admin token (`Authorization: Bearer <token>`, the content of <data_dir>/admin-token on the master host, ' +
    'which `scrapyard-master node …` sends)';
  return auth.basicAuthEnabled
    ? `this call changes state: it needs the basic-auth credentials or ${token}`
    : `this call changes state: it needs ${token}`;
}
