/**
 * The web UI under /ui/ (docs/ui.md): the hashed bundle under /ui/assets/ (immutable), index.html for every other
 * /ui/ path (the app's client routes, never cached), each answer with a Content-Security-Policy that allows no
 * inline script. PUBLIC: the login page loads before a login; every API call the UI makes is checked by its route.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { PUBLIC } from '../../auth/access-rules.js';
import { ApiError, restErrorOf } from '../api/api-error.js';

export interface UiRoutesOptions {
  /** The built UI (packages/ui/dist: index.html and assets/). */
  dir: string;
}

export const UI_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

const secured = (reply: FastifyReply) =>
  reply.header('content-security-policy', UI_CSP).header('x-content-type-options', 'nosniff');

const notBuilt = (reply: FastifyReply, dir: string) => {
  const { status, body } = restErrorOf(
    new ApiError('UI_NOT_BUILT', `the web UI is not built (no ${join(dir, 'index.html')}): run pnpm build`),
  );
  return reply.code(status).header('cache-control', 'no-store').send(body);
};

export async function uiRoutes(app: FastifyInstance, opts: UiRoutesOptions): Promise<void> {
  const assets = join(opts.dir, 'assets');
  // sendFile only (serve: false): the routes below carry their access rule and headers, and nothing in dist/ beyond
  // index.html and assets/ (the type-checker's output) is ever served.
  await app.register(fastifyStatic, { root: assets, serve: false });

  app.get('/ui', { config: PUBLIC }, (_req, reply) => secured(reply).redirect('ui/', 301));

  app.get<{ Params: { '*': string } }>('/ui/assets/*', { config: PUBLIC }, (req, reply) =>
    // A missing asset is a 404; a hashed name never changes content, so it is cached for good.
    secured(reply).sendFile(req.params['*'], assets, { immutable: true, maxAge: 31_536_000_000, cacheControl: true }),
  );

  app.get('/ui/*', { config: PUBLIC }, async (_req, reply) => {
    secured(reply);
    const html = await readFile(join(opts.dir, 'index.html')).catch(() => undefined);
    if (html === undefined) return notBuilt(reply, opts.dir);
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(html);
  });
}
