// JSON bodies byte-for-byte as Scrapyd writes them (docs/scrapyd-api.md §1.3): Python's `json.JSONEncoder().encode(data)` with
// its defaults, then `\n`. Clients only parse the JSON, but Scrapyd's own integration tests and anyone diffing
// responses compare bytes, so we match: `", "` / `": "` separators, every char outside printable ASCII escaped
// as `\uXXXX` (lowercase hex, UTF-16 code units, so astral chars become surrogate pairs), floats in Python's
// repr style, `NaN`/`Infinity` allowed.

/**
 * Serializes `value` like Python's `json.dumps(value) + "\n"`.
 *
 * Accepts null, booleans, numbers, bigints, strings, arrays, plain objects and Maps (whose key order is kept,
 * which a plain object cannot promise for integer-like keys such as `"1"`). `undefined` object members are
 * skipped and `undefined` array items written as null, like JSON.stringify. Anything else throws TypeError.
 *
 * @example pyJson({ projects: ['a'], status: 'ok' }) // '{"projects": ["a"], "status": "ok"}\n'
 */
export function pyJson(value: unknown): string {
  return `${encode(value, new Set())}\n`;
}

function encode(value: unknown, seen: Set<object>): string {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      return pyNumber(value);
    case 'bigint':
      return value.toString();
    case 'string':
      return pyString(value);
    case 'object':
      break;
    default:
      throw new TypeError(`Object of type ${typeof value} is not JSON serializable`);
  }
  if (seen.has(value)) throw new TypeError('Circular reference detected');
  seen.add(value);
  try {
    if (Array.isArray(value)) return `[${value.map((item: unknown) => encode(item, seen)).join(', ')}]`;
    const entries = value instanceof Map ? [...(value as Map<unknown, unknown>)] : Object.entries(value);
    const members: string[] = [];
    for (const [key, member] of entries) {
      if (member === undefined) continue;
      if (typeof key !== 'string') throw new TypeError('keys must be strings');
      members.push(`${pyString(key)}: ${encode(member, seen)}`);
    }
    return `{${members.join(', ')}}`;
  } finally {
    seen.delete(value);
  }
}

const SHORT_ESCAPES: Record<string, string> = {
  '"': '\\"',
  '\\': '\\\\',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\b': '\\b',
  '\f': '\\f',
};

// Python's ESCAPE_ASCII: `\\`, `"` and everything outside ' '..'~' (so DEL 0x7f too).
// eslint-disable-next-line no-control-regex
const NEEDS_ESCAPE = /["\\\u0000-\u001f\u007f-\uffff]/g;

function pyString(s: string): string {
  const body = s.replace(
    NEEDS_ESCAPE,
    (ch) => SHORT_ESCAPES[ch] ?? `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return `"${body}"`;
}

/**
 * Integers (up to 2^53) print as Python ints; every other number as Python's `float.__repr__` would:
 * shortest round-trip digits, scientific notation when the exponent is < -4 or >= 16 (JS switches at -7 / 21),
 * a two-digit exponent at least, and `.0` on whole numbers.
 */
function pyNumber(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return 'Infinity';
  if (n === -Infinity) return '-Infinity';
  // JS cannot tell 1 from 1.0; our payloads' floats are never whole, our ints always are.
  if (Number.isSafeInteger(n)) return String(n === 0 ? 0 : n);
  return pyFloatRepr(n);
}

/** Python's `repr(float)` for a finite number. */
export function pyFloatRepr(n: number): string {
  if (Object.is(n, -0)) return '-0.0';
  // toExponential() without an argument gives the shortest digits that round-trip, like Python's repr.
  const [mantissa = '0', exp = '0'] = n.toExponential().split('e');
  const exponent = Number(exp);
  const negative = mantissa.startsWith('-');
  const digits = mantissa.replace('-', '').replace('.', '');
  const sign = negative ? '-' : '';
  if (exponent < -4 || exponent >= 16) {
    const frac = digits.length > 1 ? `.${digits.slice(1)}` : '';
    const expSign = exponent < 0 ? '-' : '+';
    return `${sign}${digits[0] ?? '0'}${frac}e${expSign}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  if (exponent < 0) return `${sign}0.${'0'.repeat(-exponent - 1)}${digits}`;
  const intPart = digits.slice(0, exponent + 1).padEnd(exponent + 1, '0');
  const fracPart = digits.slice(exponent + 1);
  return `${sign}${intPart}.${fracPart || '0'}`;
}
