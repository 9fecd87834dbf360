/**
 * The cross-site guard, a root onRequest hook that runs before access (access.ts) and before any body is read.
 */
import type { FastifyRequest, onRequestAsyncHookHandler } from 'fastify';

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
