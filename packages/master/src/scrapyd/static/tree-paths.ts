/**
 * Request paths of the static trees: each segment percent-decoded to bytes and then strict UTF-8 (non-ASCII in
 * the raw path is taken as UTF-8), refused when it could step out of the tree, and the real path kept inside.
 */
import { sep } from 'node:path';
import { unquoteBytes } from '../byte-escapes.js';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
const lenientUtf8 = new TextDecoder('utf-8');

/** A path segment decoded, or null when it is not valid UTF-8. */
export function decodeSegment(raw: string): string | null {
  try {
    return strictUtf8.decode(unquoteBytes(Buffer.from(raw, 'utf8')));
  } catch {
    return null;
  }
}

/** Python `unquote` (UTF-8, errors replaced): used for the listing title only. */
export function unquoteLenient(s: string): string {
  return lenientUtf8.decode(unquoteBytes(Buffer.from(s, 'utf8')));
}

export function isSafeSegment(seg: string): boolean {
  if (seg === '' || seg === '.' || seg === '..') return false;
  if (seg.includes('\0') || seg.includes('/')) return false;
  if (sep === '\\' && (seg.includes('\\') || seg.includes(':'))) return false;
  return true;
}

export function isInside(rootReal: string, p: string): boolean {
  return p === rootReal || p.startsWith(rootReal.endsWith(sep) ? rootReal : rootReal + sep);
}
