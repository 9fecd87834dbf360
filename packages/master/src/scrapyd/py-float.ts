// Python's `float()` as Scrapyd applies it to the `priority` parameter of schedule.json (docs/scrapyd-api.md §3.3), plus the
// exact ValueError text it produces (§1.4: `priority is invalid: could not convert string to float: b'x'`).
//
// Scrapyd calls `float(value)` on the raw BYTES of the parameter, not on decoded text. That matters: for bytes,
// CPython only strips ASCII whitespace and only accepts ASCII digits (a `str` would also take `١٢` or a
// no-break space), and a non-UTF-8 priority is "could not convert", never a UTF-8 error. So this module works on
// bytes, or on strings whose chars stand for bytes (latin1).

// float ::= [sign] (number [exponent] | "inf" | "infinity" | "nan"), where digits may be separated by single
// underscores (`1_000.5`), never leading, trailing or doubled. JS `\d` is ASCII-only, as bytes require.
const DIGITS = String.raw`\d(?:_?\d)*`;
const NUMBER = new RegExp(`^[+-]?(?:(?:${DIGITS})?\\.${DIGITS}|${DIGITS}\\.?)(?:[eE][+-]?${DIGITS})?$`);
const SPECIAL = /^([+-]?)(inf|infinity|nan)$/i;
// CPython's Py_ISSPACE: space, \t, \n, \v, \f, \r, and nothing else.
const EDGE_SPACE = /^[ \t\n\v\f\r]+|[ \t\n\v\f\r]+$/g;

/**
 * The value Python's `float(b"...")` returns, or null where it raises ValueError.
 * A string argument is read as latin1 (one char per byte); prefer passing the parameter's Buffer.
 *
 * @example parsePythonFloat(' 1_0e1 ') // 100
 * @example parsePythonFloat('-Infinity') // -Infinity
 * @example parsePythonFloat('0x10') // null
 */
export function parsePythonFloat(input: string | Uint8Array): number | null {
  const text = typeof input === 'string' ? input : Buffer.from(input).toString('latin1');
  const s = text.replace(EDGE_SPACE, '');
  const special = SPECIAL.exec(s);
  if (special) {
    const negative = special[1] === '-';
    if ((special[2] ?? '').toLowerCase() === 'nan') return NaN;
    return negative ? -Infinity : Infinity;
  }
  if (!NUMBER.test(s)) return null;
  // What is left is a plain decimal literal, which JS parses to the same correctly rounded double as Python
  // (overflow becomes ±Infinity in both, `1e999` included).
  return Number(s.replaceAll('_', ''));
}

/** The ValueError text of `float(raw)`: `could not convert string to float: b'x'`. */
export function pythonFloatErrorMessage(raw: Uint8Array): string {
  return `could not convert string to float: ${pyBytesRepr(raw)}`;
}

/**
 * Python's `repr(bytes)`: `b'...'`, switching to double quotes when the bytes contain `'` but no `"`.
 * Printable ASCII is kept; `\\`, the active quote, `\t`, `\n`, `\r` are backslash-escaped; all else is `\xNN`.
 */
export function pyBytesRepr(raw: Uint8Array): string {
  const bytes = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  const quote = bytes.includes(0x27) && !bytes.includes(0x22) ? '"' : "'";
  let out = `b${quote}`;
  for (const b of bytes) {
    const ch = String.fromCharCode(b);
    if (ch === quote || ch === '\\') out += `\\${ch}`;
    else if (b === 0x09) out += '\\t';
    else if (b === 0x0a) out += '\\n';
    else if (b === 0x0d) out += '\\r';
    else if (b < 0x20 || b >= 0x7f) out += `\\x${b.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${out}${quote}`;
}
