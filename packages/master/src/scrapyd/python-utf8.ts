/**
 * Strict UTF-8, reporting the first failure exactly as CPython's decoder does (Objects/stringlib/codecs.h), so a
 * bad byte in a Scrapyd parameter gets Scrapyd's own "'utf-8' codec can't decode …" text.
 */

export type Utf8FailureReason = 'invalid start byte' | 'invalid continuation byte' | 'unexpected end of data';

/** Byte range [start, end) that CPython's UnicodeDecodeError would blame. */
export interface Utf8Failure {
  start: number;
  end: number;
  reason: Utf8FailureReason;
}

/** The first invalid sequence in `bytes` under Python's strict UTF-8 rules, or null when it decodes. */
export function findUtf8Error(bytes: Uint8Array): Utf8Failure | null {
  const n = bytes.length;
  const at = (i: number): number => bytes[i] ?? 0;
  const isCont = (b: number): boolean => b >= 0x80 && b <= 0xbf;
  const fail = (start: number, end: number, reason: Utf8FailureReason): Utf8Failure => ({ start, end, reason });
  let i = 0;
  while (i < n) {
    const c = at(i);
    if (c < 0x80) {
      i += 1;
      continue;
    }
    // 80–BF are continuation bytes, C0/C1 could only start overlong encodings, F5–FF are past U+10FFFF.
    if (c < 0xc2 || c > 0xf4) return fail(i, i + 1, 'invalid start byte');
    const length = c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
    // The second byte's range is narrowed for E0 (overlong), ED (surrogates), F0 (overlong) and F4 (> U+10FFFF).
    const lo = c === 0xe0 ? 0xa0 : c === 0xf0 ? 0x90 : 0x80;
    const hi = c === 0xed ? 0x9f : c === 0xf4 ? 0x8f : 0xbf;
    for (let k = 1; k < length; k++) {
      // CPython checks the bytes it has before complaining that the input ended.
      if (i + k >= n) return fail(i, n, 'unexpected end of data');
      const b = at(i + k);
      const ok = k === 1 ? b >= lo && b <= hi : isCont(b);
      if (!ok) return fail(i, i + k, 'invalid continuation byte');
    }
    i += length;
  }
  return null;
}

/** Python's `str(UnicodeDecodeError)` for a failure found by findUtf8Error. */
export function utf8ErrorMessage(bytes: Uint8Array, failure: Utf8Failure): string {
  const { start, end, reason } = failure;
  if (end - start === 1) {
    const byte = (bytes[start] ?? 0).toString(16).padStart(2, '0');
    return `'utf-8' codec can't decode byte 0x${byte} in position ${start}: ${reason}`;
  }
  return `'utf-8' codec can't decode bytes in position ${start}-${end - 1}: ${reason}`;
}
