/**
 * Searching a job's log in bounded steps: the file is read in chunks (overlapping by the needle's length less one,
 * so a match across two chunks is found once), forward from `from` or backward below it, until `limit` matches,
 * the end of the file, or the request's budget of bytes or time is spent. The answer says where to go on, so the
 * UI searches a 1 GB log as a series of short requests and the master never holds more than a chunk.
 */
import { open } from 'node:fs/promises';

export interface SearchOptions {
  needle: Buffer;
  /** Forward: matches starting at or after it (default 0). Backward: matches starting before it (default: size). */
  from?: number;
  direction: 'forward' | 'backward';
  limit: number;
  /** ASCII letters match either case. */
  ignoreCase: boolean;
  /** Bytes read per step, and most bytes read by one search (then it stops and answers where to go on). */
  chunkBytes: number;
  budgetBytes: number;
  /** Stop (and answer where to go on) once this is past, checked between chunks. */
  deadline?: number;
}

export interface SearchOutcome {
  /** Match offsets, in the search's direction. */
  offsets: number[];
  /** Where to go on (the next `from`), or null when the range is searched to its end. */
  next: number | null;
  scanned: number;
}

export type ReadAt = (position: number, length: number) => Promise<Buffer>;

/** A copy with A..Z → a..z (the chunk read may be a view of bytes others still read). */
function lowerAscii(src: Buffer): Buffer {
  const b = Buffer.from(src);
  for (let i = 0; i < b.length; i++) if (b[i]! >= 0x41 && b[i]! <= 0x5a) b[i] = b[i]! + 0x20;
  return b;
}

/** Every match of `needle` in `hay` that starts in [0, below), in order. */
function matchesIn(hay: Buffer, needle: Buffer, below: number): number[] {
  const out: number[] = [];
  for (let i = hay.indexOf(needle); i >= 0 && i < below; i = hay.indexOf(needle, i + 1)) out.push(i);
  return out;
}

export async function searchBytes(read: ReadAt, size: number, o: SearchOptions): Promise<SearchOutcome> {
  const needle = o.ignoreCase ? lowerAscii(o.needle) : o.needle;
  const overlap = needle.length - 1;
  const offsets: number[] = [];
  let scanned = 0;
  const spent = () => scanned >= o.budgetBytes || (o.deadline !== undefined && Date.now() >= o.deadline);
  if (o.direction === 'forward') {
    let at = Math.min(o.from ?? 0, size);
    while (at < size) {
      if (scanned > 0 && spent()) return { offsets, next: at, scanned };
      const step = Math.min(o.chunkBytes, size - at);
      const chunk = await read(at, Math.min(size - at, step + overlap));
      scanned += chunk.length;
      for (const i of matchesIn(o.ignoreCase ? lowerAscii(chunk) : chunk, needle, step)) {
        offsets.push(at + i);
        if (offsets.length === o.limit) return { offsets, next: at + i + 1, scanned };
      }
      at += step;
    }
    return { offsets, next: null, scanned };
  }
  let below = Math.min(o.from ?? size, size);
  while (below > 0) {
    if (scanned > 0 && spent()) return { offsets, next: below, scanned };
    const start = Math.max(0, below - o.chunkBytes);
    const chunk = await read(start, Math.min(size, below + overlap) - start);
    scanned += chunk.length;
    const found = matchesIn(o.ignoreCase ? lowerAscii(chunk) : chunk, needle, below - start).reverse();
    for (const i of found) {
      offsets.push(start + i);
      if (offsets.length === o.limit) return { offsets, next: start + i === 0 ? null : start + i, scanned };
    }
    below = start;
  }
  return { offsets, next: null, scanned };
}

/** A match's line: [lineStart, text], at most `lineBytes` each side of the match. */
export function lineAround(read: ReadAt, size: number, lineBytes: number) {
  return async (offset: number): Promise<{ lineStart: number; line: string }> => {
    const from = Math.max(0, offset - lineBytes);
    const buf = await read(from, Math.min(size, offset + lineBytes) - from);
    const at = offset - from;
    const nl = buf.lastIndexOf(0x0a, at - 1);
    const lineFrom = at === 0 ? 0 : nl + 1;
    const end = buf.indexOf(0x0a, at);
    const lineTo = end < 0 ? buf.length : end;
    return { lineStart: from + lineFrom, line: buf.toString('utf8', lineFrom, lineTo).replace(/\r$/, '') };
  };
}

/** Opens `path` for a search; a missing file is an empty log. `run` gets the reader and the size at opening. */
export async function withLogFile<T>(path: string, run: (read: ReadAt, size: number) => Promise<T>): Promise<T> {
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return run(() => Promise.resolve(Buffer.alloc(0)), 0);
    throw e;
  }
  try {
    const size = (await fh.stat()).size;
    const read: ReadAt = async (position, length) => {
      const buf = Buffer.allocUnsafe(Math.max(0, length));
      const { bytesRead } = await fh.read(buf, 0, buf.length, position);
      return buf.subarray(0, bytesRead);
    };
    return await run(read, size);
  } finally {
    await fh.close();
  }
}
