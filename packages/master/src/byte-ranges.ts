/** Range headers against a file's size (RFC 9110 §14), bounded so a request never costs more than the file. */

/**
 * More ranges than this in one request (before or after coalescing) is treated as abuse: the Range header is
 * ignored and the whole file is sent, so a request never costs more than the file itself.
 */
export const MAX_RANGES = 16;

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
