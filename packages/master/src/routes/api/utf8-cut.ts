/** Where a live tail cuts a piece of a file it read, so an event never splits a line it could keep or a character. */
import { utf8Boundary } from '../../jobs/log-range.js';

/**
 * How many of the `n` bytes read to send: with more data behind the piece, up to its last newline if any;
 * otherwise all of it, less a trailing incomplete UTF-8 sequence (kept unless `final` and at the file's end).
 */
export function cutPoint(buf: Buffer, n: number, atEnd: boolean, final: boolean): number {
  if (!atEnd) {
    const nl = buf.subarray(0, n).lastIndexOf(0x0a);
    if (nl >= 0) return nl + 1;
  }
  if (atEnd && final) return n;
  const b = utf8Boundary(buf, n);
  return b === 0 && !atEnd ? n : b; // a full piece without any character start is not UTF-8: send it as is
}
