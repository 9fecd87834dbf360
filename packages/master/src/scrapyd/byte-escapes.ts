/**
 * Escapes decoded to bytes, never through a JS string (which would mangle anything that is not valid UTF-8):
 * `%XX` of URLs (Python's `unquote_to_bytes`), `+` of forms, and quoted-printable's `=XX` and soft line breaks.
 * A malformed escape stays literal, as in Python.
 */

const PLUS = 0x2b;
const PERCENT = 0x25;
const EQ = 0x3d;
const CR = 0x0d;
const LF = 0x0a;

/**
 * What an escape at byte `i` stands for: the byte it spells (or null for nothing) and how many bytes it spans;
 * null when no escape starts there.
 */
type EscapeAt = (bytes: Uint8Array, i: number) => { byte: number | null; length: number } | null;

/** `bytes` with every escape `escapeAt` finds replaced by what it stands for. */
function unescape(bytes: Buffer, escapeAt: EscapeAt): Buffer {
  const out = Buffer.allocUnsafe(bytes.length);
  let n = 0;
  for (let i = 0; i < bytes.length; i++) {
    const found = escapeAt(bytes, i);
    if (found === null) {
      out[n++] = bytes[i] ?? 0;
      continue;
    }
    if (found.byte !== null) out[n++] = found.byte;
    i += found.length - 1;
  }
  return out.subarray(0, n);
}

/** `<marker>XX` where XX are two hex digits. */
function hexEscape(bytes: Uint8Array, i: number, marker: number) {
  if (bytes[i] !== marker) return null;
  const byte = hexByteAt(bytes, i + 1);
  return byte >= 0 ? { byte, length: 3 } : null;
}

/** `%XX` → byte, like `urllib.parse.unquote_to_bytes`. */
export function unquoteBytes(bytes: Buffer): Buffer {
  if (!bytes.includes(PERCENT)) return bytes;
  return unescape(bytes, (b, i) => hexEscape(b, i, PERCENT));
}

/** `+` → space, then `%XX` → byte, like `unquote_to_bytes(s.replace(b"+", b" "))`. */
export function unquotePlus(bytes: Buffer): Buffer {
  if (!bytes.includes(PLUS) && !bytes.includes(PERCENT)) return bytes;
  return unescape(bytes, (b, i) => (b[i] === PLUS ? { byte: 0x20, length: 1 } : hexEscape(b, i, PERCENT)));
}

/** Quoted-printable: `=` + line break is a soft break; `=XX` a byte; anything else stays literal. */
export function decodeQuotedPrintable(bytes: Buffer): Buffer {
  return unescape(bytes, (b, i) => {
    if (b[i] !== EQ) return null;
    if (b[i + 1] === CR && b[i + 2] === LF) return { byte: null, length: 3 };
    if (b[i + 1] === LF) return { byte: null, length: 2 };
    return hexEscape(b, i, EQ);
  });
}

/** The byte spelled by two hex digits at `at` (`%XX`, `=XX`), or -1 when they are not both hex digits. */
function hexByteAt(bytes: Uint8Array, at: number): number {
  const hi = hexValue(bytes[at]);
  const lo = hexValue(bytes[at + 1]);
  return hi >= 0 && lo >= 0 ? hi * 16 + lo : -1;
}

function hexValue(b: number | undefined): number {
  if (b === undefined) return -1;
  if (b >= 0x30 && b <= 0x39) return b - 0x30;
  if (b >= 0x41 && b <= 0x46) return b - 0x41 + 10;
  if (b >= 0x61 && b <= 0x66) return b - 0x61 + 10;
  return -1;
}
