/**
 * A byte range of a job's log, read without reading the file whole (the UI's log viewer opens a 1 GB log at its
 * end this way). The range is moved to UTF-8 character boundaries so its text is exact and two ranges that touch
 * join without a broken character; a line may still be cut at either edge (the viewer joins ranges by offset).
 */
import { open } from 'node:fs/promises';

/** [start, end) of the bytes to serve: `offset` ≥ 0 from the start, < 0 from the end, absent: the last `length`. */
export function resolveRange(size: number, offset: number | undefined, length: number): { start: number; end: number } {
  const start =
    offset === undefined
      ? Math.max(0, size - length)
      : offset < 0
        ? Math.max(0, size + offset)
        : Math.min(offset, size);
  return { start, end: Math.min(size, start + length) };
}

const isContinuation = (b: number) => (b & 0xc0) === 0x80;

/** `n`, or the start of a multi-byte sequence that the first `n` bytes cut short. */
export function utf8Boundary(buf: Buffer, n: number): number {
  for (let i = n - 1; i >= Math.max(0, n - 4); i--) {
    const b = buf[i]!;
    if (isContinuation(b)) continue;
    const len = b < 0x80 ? 1 : b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return i + len > n ? i : n;
  }
  return n;
}

/** How many leading bytes are the tail of a character that began before the buffer (at most 3). */
export function leadingContinuations(buf: Buffer, n: number): number {
  let i = 0;
  while (i < Math.min(3, n) && isContinuation(buf[i]!)) i++;
  return i;
}

export interface LogSlice {
  size: number;
  start: number;
  end: number;
  text: string;
}

/**
 * Reads [start, end) of `path` (resolveRange), on character boundaries: a character cut at the start is left to
 * the range before, one cut at the end to the range after (at the end of a growing file, its rest is not written
 * yet). A missing file is an empty log (the job has written nothing yet).
 */
export async function readLogRange(path: string, offset: number | undefined, length: number): Promise<LogSlice> {
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { size: 0, start: 0, end: 0, text: '' };
    throw e;
  }
  try {
    const size = (await fh.stat()).size;
    const { start, end } = resolveRange(size, offset, length);
    const buf = Buffer.allocUnsafe(end - start);
    const { bytesRead } = await fh.read(buf, 0, buf.length, start);
    const skip = start === 0 ? 0 : leadingContinuations(buf, bytesRead);
    const keep = utf8Boundary(buf, bytesRead);
    const cut = Math.max(skip, keep);
    return { size, start: start + skip, end: start + cut, text: buf.toString('utf8', skip, cut) };
  } finally {
    await fh.close();
  }
}
