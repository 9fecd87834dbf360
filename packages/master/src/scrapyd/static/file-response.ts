/**
 * A file of a static tree as Twisted serves it: Last-Modified and If-Modified-Since, If-Range, single ranges and
 * multipart/byteranges, each body bounded by the size announced even if the file keeps growing.
 */
import { createReadStream } from 'node:fs';
import type { Stats } from 'node:fs';
import { Readable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { parseRange } from '../../byte-ranges.js';
import { contentTypeHeader, typeAndEncoding } from './content-type.js';
import type { ServeTreeOptions, TreeResponse } from './serve-tree.js';

function header(headers: ServeTreeOptions['headers'], name: string): string | undefined {
  let v = headers[name];
  if (v === undefined) {
    const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
    v = key === undefined ? undefined : headers[key];
  }
  return Array.isArray(v) ? v[0] : v;
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

export function serveFile(path: string, name: string, st: Stats, opts: ServeTreeOptions): TreeResponse {
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
