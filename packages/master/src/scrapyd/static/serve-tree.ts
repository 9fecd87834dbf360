/**
 * The `/logs/…` and `/items/…` static trees (docs/scrapyd-api.md §4.3), independent of fastify: a route adapts the
 * returned status/headers/body. Behaviour follows Twisted's `static.File` as Scrapyd uses it (directory
 * listings with a "Last modified" column, Range support, If-Modified-Since), with stricter path safety.
 */
import { createReadStream } from 'node:fs';
import type { Stats } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { escapeHtml, escapeHtmlLine } from '../html/escape.js';
import { compareCodePoints, formatLocalMinutes, quoteUrl } from '../html/format.js';

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
}

const HTML_TYPE = 'text/html; charset=utf-8';
/**
 * More ranges than this in one request (before or after coalescing) is treated as abuse: the Range header is
 * ignored and the whole file is sent, so a request never costs more than the file itself.
 */
export const MAX_RANGES = 16;

/** Extension → MIME type (lower-cased extension). Anything else is `text/plain`, Scrapyd's default type. */
const MIME_TYPES: Record<string, string> = {
  '.log': 'text/plain',
  '.txt': 'text/plain',
  '.jl': 'text/plain',
  '.json': 'application/json',
  '.html': 'text/html',
  '.htm': 'text/html',
  '.csv': 'text/csv',
  '.xml': 'text/xml',
  '.css': 'text/css',
  '.js': 'text/javascript',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.svg': 'image/svg+xml',
  '.pdf': 'application/pdf',
  '.zip': 'application/zip',
};
const DEFAULT_TYPE = 'text/plain';
const ENCODINGS: Record<string, string> = { '.gz': 'gzip' };

function extname(name: string): string {
  const i = name.lastIndexOf('.');
  return i <= 0 ? '' : name.slice(i).toLowerCase();
}

/** Like Twisted's `getTypeAndEncoding`: a `.gz` suffix is the encoding and the inner extension the type. */
export function typeAndEncoding(name: string): { type: string; encoding: string | null } {
  let ext = extname(name);
  let encoding: string | null = null;
  const enc = ENCODINGS[ext];
  if (enc !== undefined) {
    encoding = enc;
    ext = extname(name.slice(0, -ext.length));
  }
  return { type: MIME_TYPES[ext] ?? DEFAULT_TYPE, encoding };
}

/** The Content-Type header: text types get an explicit UTF-8 charset (Scrapy logs are UTF-8). */
function contentTypeHeader(type: string): string {
  return type.startsWith('text/') ? `${type}; charset=utf-8` : type;
}

/** Twisted's `formatFileSize`. */
export function formatFileSize(size: number): string {
  if (size < 1024) return `${size}B`;
  if (size < 1024 ** 2) return `${Math.floor(size / 1024)}K`;
  if (size < 1024 ** 3) return `${Math.floor(size / 1024 ** 2)}M`;
  return `${Math.floor(size / 1024 ** 3)}G`;
}

function header(headers: ServeTreeOptions['headers'], name: string): string | undefined {
  let v = headers[name];
  if (v === undefined) {
    const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
    v = key === undefined ? undefined : headers[key];
  }
  return Array.isArray(v) ? v[0] : v;
}

/** Percent-decode to bytes (`%XX` → byte; malformed escapes stay literal, like Python's `unquote`). */
function percentDecodeBytes(s: string): Uint8Array {
  const out: number[] = [];
  const enc = new TextEncoder();
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x25 && /^[0-9A-Fa-f]{2}$/.test(s.slice(i + 1, i + 3))) {
      out.push(parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (c < 0x80) {
      out.push(c);
    } else {
      // Non-ASCII in a request path (Node rejects raw bytes, but be lenient): encode the character as UTF-8.
      const cp = s.codePointAt(i)!;
      out.push(...enc.encode(String.fromCodePoint(cp)));
      if (cp > 0xffff) i++;
    }
  }
  return Uint8Array.from(out);
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
const lenientUtf8 = new TextDecoder('utf-8');

/** A path segment decoded, or null when it is not valid UTF-8. */
function decodeSegment(raw: string): string | null {
  try {
    return strictUtf8.decode(percentDecodeBytes(raw));
  } catch {
    return null;
  }
}

/** Python `unquote` (UTF-8, errors replaced): used for the listing title only. */
function unquoteLenient(s: string): string {
  return lenientUtf8.decode(percentDecodeBytes(s));
}

function isSafeSegment(seg: string): boolean {
  if (seg === '' || seg === '.' || seg === '..') return false;
  if (seg.includes('\0') || seg.includes('/')) return false;
  if (sep === '\\' && (seg.includes('\\') || seg.includes(':'))) return false;
  return true;
}

function isInside(rootReal: string, p: string): boolean {
  return p === rootReal || p.startsWith(rootReal.endsWith(sep) ? rootReal : rootReal + sep);
}

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
      html = await renderListing(rootReal, targetReal, requestPath);
    } catch {
      return notFound(method); // unreadable or vanished directory
    }
    return htmlResponse(200, html, method);
  }
  if (wantsDir || !st.isFile()) return notFound(method);
  return serveFile(targetReal, segments[segments.length - 1] ?? '', st, opts);
}

// ---------------------------------------------------------------------------------------------------------
// Directory listing

interface Entry {
  name: string;
  isDir: boolean;
  size: number;
  mtimeMs: number;
}

async function readEntries(rootReal: string, dir: string): Promise<Entry[]> {
  const dirents = await readdir(dir, { withFileTypes: true });
  const entries = await Promise.all(
    dirents.map(async (d): Promise<Entry | null> => {
      const full = join(dir, d.name);
      try {
        // Hide symlinks that lead outside the tree (they would 404 anyway).
        if (d.isSymbolicLink() && !isInside(rootReal, await realpath(full))) return null;
        const s = await stat(full);
        if (s.isDirectory()) return { name: d.name, isDir: true, size: 0, mtimeMs: s.mtimeMs };
        return { name: d.name, isDir: false, size: s.size, mtimeMs: s.mtimeMs };
      } catch {
        return null; // vanished, broken symlink or unreadable: skipped (Twisted skips files it can't size)
      }
    }),
  );
  return entries.filter((e): e is Entry => e !== null);
}

function listingRow(cls: 'odd' | 'even', e: Entry): string {
  const { type, encoding } = e.isDir ? { type: 'Directory', encoding: null } : typeAndEncoding(e.name);
  const slash = e.isDir ? '/' : '';
  return (
    `<tr class="${cls}">\n` +
    `    <td><a href="${quoteUrl(e.name, '/')}${slash}">${escapeHtmlLine(e.name)}${slash}</a></td>\n` +
    `    <td>${e.isDir ? '' : formatFileSize(e.size)}</td>\n` +
    `    <td>${formatLocalMinutes(e.mtimeMs)}</td>\n` +
    `    <td>[${type}]</td>\n` +
    `    <td>${encoding === null ? '' : `[${encoding}]`}</td>\n` +
    `</tr>\n`
  );
}

async function renderListing(rootReal: string, dir: string, requestPath: string): Promise<string> {
  const entries = await readEntries(rootReal, dir);
  const byName = (a: Entry, b: Entry) => compareCodePoints(a.name, b.name);
  const ordered = [...entries.filter((e) => e.isDir).sort(byName), ...entries.filter((e) => !e.isDir).sort(byName)];
  const rows = ordered.map((e, i) => listingRow(i % 2 === 0 ? 'odd' : 'even', e)).join('');
  const title = `Directory listing for ${escapeHtml(unquoteLenient(requestPath))}`;
  return `<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<title>${title}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 0; background-color: #efefef; }
h1 { padding: .3em; margin: 0 0 .5em; background-color: #777; color: white; }
table { margin: 0 auto; border-collapse: collapse; }
th, td { padding: .2em .8em; text-align: left; }
.odd { background-color: #dedede; }
.even { background-color: #eee; }
</style>
</head>
<body>
<h1>${title}</h1>
<table>
    <thead>
        <tr>
            <th>Filename</th>
            <th>Size</th>
            <th>Last modified</th>
            <th>Content type</th>
            <th>Content encoding</th>
        </tr>
    </thead>
    <tbody>
${rows}    </tbody>
</table>
</body>
</html>
`;
}

// ---------------------------------------------------------------------------------------------------------
// Files

/** Inclusive byte range. */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * Parse a Range header against a file size (RFC 9110 §14). Returns null when the header must be ignored
 * (absent, other unit, malformed, too many ranges), otherwise the satisfiable ranges (maybe none → 416), sorted,
 * with overlapping and adjacent ones coalesced (§14.3): `bytes=0-,0-,0-` is one range, never the file three times.
 */
export function parseRange(value: string | undefined, size: number): ByteRange[] | null {
  if (value === undefined) return null;
  const m = /^\s*bytes\s*=\s*(.*)$/i.exec(value);
  if (!m) return null;
  const specs = m[1]!.split(',').map((s) => s.trim());
  // Empty list elements are allowed by the grammar (`bytes=0-1,,2-3`), but at least one spec is required.
  const nonEmpty = specs.filter((s) => s !== '');
  if (nonEmpty.length === 0 || nonEmpty.length > MAX_RANGES) return null;
  const out: ByteRange[] = [];
  for (const spec of nonEmpty) {
    const r = /^(\d*)\s*-\s*(\d*)$/.exec(spec);
    if (!r) return null;
    const [, a = '', b = ''] = r;
    if (a === '' && b === '') return null;
    if (a === '') {
      // suffix range: the last N bytes
      const n = Number(b);
      if (n === 0 || size === 0) continue;
      out.push({ start: Math.max(0, size - n), end: size - 1 });
      continue;
    }
    const start = Number(a);
    const end = b === '' ? size - 1 : Number(b);
    if (b !== '' && end < start) return null; // invalid spec → ignore the whole header
    if (start >= size) continue; // unsatisfiable
    out.push({ start, end: Math.min(end, size - 1) });
  }
  return coalesce(out);
}

/** Sorted, with overlapping or touching ranges merged; null when still more than MAX_RANGES. */
function coalesce(ranges: ByteRange[]): ByteRange[] | null {
  const merged: ByteRange[] = [];
  for (const r of [...ranges].sort((a, b) => a.start - b.start)) {
    const last = merged.at(-1);
    if (last && r.start <= last.end + 1) last.end = Math.max(last.end, r.end);
    else merged.push({ ...r });
  }
  return merged.length > MAX_RANGES ? null : merged;
}

function httpDate(ms: number): string {
  return new Date(ms).toUTCString();
}

function notModified(ifModifiedSince: string | undefined, mtimeMs: number): boolean {
  if (ifModifiedSince === undefined) return false;
  const since = Date.parse(ifModifiedSince);
  if (Number.isNaN(since)) return false;
  return Math.floor(mtimeMs / 1000) * 1000 <= since;
}

function serveFile(path: string, name: string, st: Stats, opts: ServeTreeOptions): TreeResponse {
  const size = st.size;
  const lastModified = httpDate(st.mtimeMs);
  const { type, encoding } = typeAndEncoding(name);
  const headers: Record<string, string> = { 'accept-ranges': 'bytes', 'last-modified': lastModified };

  if (notModified(header(opts.headers, 'if-modified-since'), st.mtimeMs)) {
    return { status: 304, headers, body: null };
  }

  headers['content-type'] = contentTypeHeader(type);
  if (encoding !== null) headers['content-encoding'] = encoding;
  const head = opts.method === 'HEAD';

  // If-Range with a validator other than our current Last-Modified → send the whole file.
  const ifRange = header(opts.headers, 'if-range');
  const rangeHeader =
    ifRange === undefined || ifRange.trim() === lastModified ? header(opts.headers, 'range') : undefined;
  const ranges = parseRange(rangeHeader, size);

  if (ranges === null) {
    headers['content-length'] = String(size);
    return { status: 200, headers, body: head ? null : fileBody(path, 0, size - 1) };
  }
  if (ranges.length === 0) {
    return {
      status: 416,
      headers: {
        'accept-ranges': 'bytes',
        'content-range': `bytes */${size}`,
        'content-type': 'text/plain; charset=utf-8',
        'content-length': '0',
      },
      body: head ? null : Buffer.alloc(0),
    };
  }
  if (ranges.length === 1) {
    const { start, end } = ranges[0]!;
    headers['content-range'] = `bytes ${start}-${end}/${size}`;
    headers['content-length'] = String(end - start + 1);
    return { status: 206, headers, body: head ? null : fileBody(path, start, end) };
  }

  // multipart/byteranges (RFC 9110 §14.6)
  const boundary = randomBytes(12).toString('hex');
  const partType = contentTypeHeader(type);
  const partHeads = ranges.map((r) =>
    Buffer.from(
      `\r\n--${boundary}\r\nContent-Type: ${partType}\r\nContent-Range: bytes ${r.start}-${r.end}/${size}\r\n\r\n`,
    ),
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const length = partHeads.reduce((n, h, i) => n + h.length + ranges[i]!.end - ranges[i]!.start + 1, tail.length);
  headers['content-type'] = `multipart/byteranges; boundary=${boundary}`;
  headers['content-length'] = String(length);
  if (head) return { status: 206, headers, body: null };
  const list = ranges;
  async function* parts(): AsyncGenerator<Buffer> {
    for (const [i, r] of list.entries()) {
      yield partHeads[i]!;
      for await (const chunk of createReadStream(path, { start: r.start, end: r.end })) yield chunk as Buffer;
    }
    yield tail;
  }
  return { status: 206, headers, body: Readable.from(parts(), { objectMode: false }) };
}

/** Stream bytes start..end (inclusive) — bounded by the size we announced, even if the file keeps growing. */
function fileBody(path: string, start: number, end: number): Buffer | NodeJS.ReadableStream {
  if (end < start) return Buffer.alloc(0);
  return createReadStream(path, { start, end });
}
