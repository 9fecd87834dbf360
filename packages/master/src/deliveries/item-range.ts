/**
 * Reading a job's items file by byte range, and cutting new bytes into batches of whole lines (a line being one
 * JSON item, as Scrapy's JSON-lines feed writes them). Bounded: a batch holds at most `maxBytes` unless a single
 * item is bigger, which then travels alone.
 */
import { open } from 'node:fs/promises';

export interface Batch {
  from: number;
  to: number;
  count: number;
}

const SCAN_CHUNK = 1024 * 1024;

/**
 * Batches of whole lines between `from` and `end` (exclusive). `final`: a last partial batch is included (the
 * file is complete); otherwise only full batches are, and the rest waits for more items.
 */
export async function cutBatches(
  path: string,
  from: number,
  end: number,
  perBatch: number,
  maxBytes: number,
  final: boolean,
): Promise<Batch[]> {
  const batches: Batch[] = [];
  if (end <= from) return batches;
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(SCAN_CHUNK);
    let start = from;
    let count = 0;
    let pos = from;
    while (pos < end) {
      const { bytesRead } = await fh.read(buf, 0, Math.min(SCAN_CHUNK, end - pos), pos);
      if (bytesRead === 0) break;
      for (let i = 0; i < bytesRead; i++) {
        if (buf[i] !== 0x0a) continue;
        const lineEnd = pos + i + 1;
        count++;
        if (count >= perBatch || lineEnd - start >= maxBytes) {
          batches.push({ from: start, to: lineEnd, count });
          start = lineEnd;
          count = 0;
        }
      }
      pos += bytesRead;
    }
    if (final && count > 0) batches.push({ from: start, to: pos, count });
  } finally {
    await fh.close();
  }
  return batches;
}

/** The items of a range as parsed JSON values (a line that isn't JSON is passed on as its text). */
export async function readItems(path: string, from: number, to: number): Promise<unknown[]> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(to - from);
    const { bytesRead } = await fh.read(buf, 0, to - from, from);
    return buf
      .subarray(0, bytesRead)
      .toString('utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => {
        try {
          return JSON.parse(l) as unknown;
        } catch {
          return l;
        }
      });
  } finally {
    await fh.close();
  }
}
