/**
 * The `/logs/…` and `/items/…` static trees (docs/scrapyd-api.md §4.3), independent of fastify: a route adapts the
 * returned status/headers/body. Behaviour follows Twisted's `static.File` as Scrapyd uses it (directory
 * listings with a "Last modified" column, Range support, If-Modified-Since), with stricter path safety.
 */
import type { Stats } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { escapeHtml } from '../html/escape.js';
import { quoteUrl } from '../html/format.js';
import { serveFile } from './file-response.js';
import { renderListing } from './listing.js';
import { decodeSegment, isInside, isSafeSegment } from './tree-paths.js';

export interface TreeResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer | NodeJS.ReadableStream | null;
}

export interface ServeTreeOptions {
  /** directory served at `urlPrefix` (relative paths resolve against the process cwd) */
  root: string;
  urlPrefix: '/logs/' | '/items/';
  /** raw request path including the prefix, still percent-encoded, without the query string */
  requestPath: string;
  method: 'GET' | 'HEAD';
  headers: Record<string, string | string[] | undefined>;
  /**
   * Which top-level entries (projects) the caller may see; absent: all. A hidden one is left out of the root
   * listing and everything under it answers 404, exactly as when it does not exist.
   */
  visibleProject?: (name: string) => boolean;
}

const HTML_TYPE = 'text/html; charset=utf-8';

function htmlResponse(status: number, html: string, method: ServeTreeOptions['method']): TreeResponse {
  const buf = Buffer.from(html, 'utf8');
  return {
    status,
    headers: { 'content-type': HTML_TYPE, 'content-length': String(buf.length) },
    body: method === 'HEAD' ? null : buf,
  };
}

function notFound(method: ServeTreeOptions['method']): TreeResponse {
  return htmlResponse(
    404,
    `<html>
  <head><title>404 - No Such Resource</title></head>
  <body>
    <h1>No Such Resource</h1>
    <p>File not found.</p>
  </body>
</html>
`,
    method,
  );
}

function redirect(location: string, method: ServeTreeOptions['method']): TreeResponse {
  const res = htmlResponse(
    302,
    `<html>
  <head><meta http-equiv="refresh" content="0;URL=${escapeHtml(location)}"></head>
  <body bgcolor="#FFFFFF" text="#000000"><a href="${escapeHtml(location)}">click here</a></body>
</html>
`,
    method,
  );
  res.headers['location'] = location;
  return res;
}

export async function serveTree(opts: ServeTreeOptions): Promise<TreeResponse> {
  const { method, urlPrefix, requestPath } = opts;
  const base = urlPrefix.slice(0, -1); // '/logs'
  if (requestPath === base) return redirect(urlPrefix, method);
  if (!requestPath.startsWith(urlPrefix)) return notFound(method);

  const rest = requestPath.slice(urlPrefix.length);
  const wantsDir = rest === '' || rest.endsWith('/');
  const rawSegments = rest === '' ? [] : (wantsDir ? rest.slice(0, -1) : rest).split('/');
  const segments: string[] = [];
  for (const raw of rawSegments) {
    // Reject dot segments before and after decoding (`..`, `%2e%2e`), NUL, encoded separators, `//`.
    const seg = decodeSegment(raw);
    if (seg === null || !isSafeSegment(seg)) return notFound(method);
    segments.push(seg);
  }
  const visibleProject = opts.visibleProject;
  if (visibleProject && segments.length > 0 && !visibleProject(segments[0]!)) return notFound(method);

  let rootReal: string;
  let targetReal: string;
  let st: Stats;
  try {
    rootReal = await realpath(resolve(opts.root));
    targetReal = await realpath(join(rootReal, ...segments));
    if (!isInside(rootReal, targetReal)) return notFound(method);
    st = await stat(targetReal);
  } catch {
    return notFound(method);
  }

  if (st.isDirectory()) {
    // Header values must be ASCII; Node already rejects raw non-ASCII request targets, this is belt and braces.
    if (!wantsDir) return redirect(`${requestPath.replace(/[^\x21-\x7e]/gu, (c) => quoteUrl(c, ''))}/`, method);
    let html: string;
    try {
      const atRoot = segments.length === 0;
      html = await renderListing(rootReal, targetReal, requestPath, atRoot ? visibleProject : undefined);
    } catch {
      return notFound(method); // unreadable or vanished directory
    }
    return htmlResponse(200, html, method);
  }
  if (wantsDir || !st.isFile()) return notFound(method);
  return serveFile(targetReal, segments[segments.length - 1] ?? '', st, opts);
}
