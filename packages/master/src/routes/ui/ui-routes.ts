/**
 * The web UI under /ui/ (docs/ui.md): the hashed bundle under /ui/assets/ (immutable), index.html for every other
 * /ui/ path (the app's client routes, never cached), each answer with a Content-Security-Policy that allows no
 * inline script. PUBLIC: the login page loads before a login; every API call the UI makes is checked by its route.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type Send from '@fastify/send';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
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

/**
 * A path under assets/ whose every segment is a plain name: no `..`, no dotfile, no empty or `.` segment, no
 * backslash. Anything else is a 404 before the file system is asked.
 */
const ASSET_PATH = /^(?:[\w-][\w.-]*\/)*[\w-][\w.-]*$/;

/**
 * @fastify/send, loaded by the first asset request: an idle master (most never serve the UI) does not hold it
 * (bench `idle`; @fastify/static, which wraps it, cost ~1.2 MB at start).
 */
let sender: Promise<typeof Send> | undefined;
const loadSend = () =>
  (sender ??= import('@fastify/send').then(({ default: send }) => {
    // As @fastify/static set it: an unknown extension is still answered with a content type.
    (send.mime as { default_type?: string }).default_type = 'application/octet-stream';
    return send;
  }));

/** Streams one hashed asset with its ETag, Last-Modified and range support; a missing one is a 404. */
async function sendAsset(req: FastifyRequest, reply: FastifyReply, assets: string, name: string): Promise<unknown> {
  if (!ASSET_PATH.test(name)) return reply.callNotFound();
  const send = await loadSend();
  // A hashed name never changes content, so it is cached for good.
  const res = await send(req.raw, `/${encodeURI(name)}`, {
    root: assets,
    immutable: true,
    maxAge: 31_536_000_000,
    cacheControl: true,
    index: false,
  });
  if (res.type === 'file') return reply.code(res.statusCode).headers(res.headers).send(res.stream);
  if (res.type === 'directory' || res.statusCode === 404) return reply.callNotFound();
  return reply.send(res.metadata.error);
}

export function uiRoutes(app: FastifyInstance, opts: UiRoutesOptions): Promise<void> {
  const assets = join(opts.dir, 'assets');
  // Only these routes serve dist/: each carries its access rule and headers, and nothing beyond index.html and
  // assets/ (the type-checker's output) is ever served.
  app.get('/ui', { config: PUBLIC }, (_req, reply) => secured(reply).redirect('ui/', 301));

  app.get<{ Params: { '*': string } }>('/ui/assets/*', { config: PUBLIC }, (req, reply) =>
    sendAsset(req, secured(reply), assets, req.params['*']),
  );

  app.get('/ui/*', { config: PUBLIC }, async (_req, reply) => {
    secured(reply);
    const html = await readFile(join(opts.dir, 'index.html')).catch(() => undefined);
    if (html === undefined) return notBuilt(reply, opts.dir);
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(html);
  });
  return Promise.resolve();
}
