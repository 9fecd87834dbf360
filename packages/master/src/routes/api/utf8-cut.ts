/** Where a live tail cuts a piece of a file it read, so an event never splits a line it could keep or a character. */

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

/** `n`, or the start of a multi-byte sequence that the first `n` bytes cut short. */
function utf8Boundary(buf: Buffer, n: number): number {
  for (let i = n - 1; i >= Math.max(0, n - 4); i--) {
    const b = buf[i]!;
    if ((b & 0xc0) === 0x80) continue; // continuation byte
    const len = b < 0x80 ? 1 : b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return i + len > n ? i : n;
  }
  return n;
}
