/**
 * The last guard before an audit summary is stored: producers already leave secrets out (names and counts, never
 * values), and this makes sure a slip cannot reach the log. A value under a key that names a secret is dropped
 * (a boolean or a number says only whether or how many, and stays), anything shaped like one of our tokens is
 * blanked wherever it appears, and the whole is bounded in depth, width and length.
 */

/**
 * Keys whose value is a secret (`password`, `signingSecret`, `botToken`, `apiKey`, `authorization`, …): by how they
 * end, so `tokenId`, `secretFields` (names) or `secretChanged` (a fact) are not mistaken for one.
 */
const SECRET_KEY = /(pass(word|wd|phrase)?|secret|token|credential|authori[sz]ation|cookie|api_?key|private_?key)s?$/i;
/** Our own secrets by their prefixes (API tokens, the admin token, webhook signing secrets), and URL credentials. */
const SECRET_VALUE = /\b(?:sy|adm)_[A-Za-z0-9]{16,}|\bwhsec_[A-Za-z0-9+/=]{8,}|(?<=\/\/)[^/@\s]*:[^/@\s]*(?=@)/g;

const MAX_DEPTH = 4;
const MAX_KEYS = 50;
const MAX_ITEMS = 50;
const MAX_STRING = 200;
/** Bytes of stored JSON beyond which only the summary's keys are kept. */
export const MAX_SUMMARY_BYTES = 4_096;

export const REDACTED = '[redacted]';

/** A summary safe to store: no secret, bounded. */
export function redactSummary(summary: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return JSON.parse(summaryJson(summary)) as Record<string, unknown>;
}

/** The stored text of a summary: redacted, and at most MAX_SUMMARY_BYTES (else only its keys). */
export function summaryJson(summary: Readonly<Record<string, unknown>>): string {
  const out = redactObject(summary, 0);
  const json = JSON.stringify(out);
  // A UTF-8 byte is at most 3 per UTF-16 unit: only a long text needs counting.
  if (json.length * 3 <= MAX_SUMMARY_BYTES || Buffer.byteLength(json) <= MAX_SUMMARY_BYTES) return json;
  return JSON.stringify({ truncated: true, keys: Object.keys(out).slice(0, MAX_KEYS) });
}

function redactObject(o: Readonly<Record<string, unknown>>, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(o).slice(0, MAX_KEYS)) {
    if (SECRET_KEY.test(key)) {
      const kept = secretKeyValue(value);
      if (kept !== undefined) out[key] = kept;
      continue;
    }
    out[key] = redactValue(value, depth + 1);
  }
  return out;
}

/** What may stay of a value under a secret's key: whether (a boolean, null) or how many (a number, a list's length). */
function secretKeyValue(value: unknown): unknown {
  if (typeof value === 'boolean' || typeof value === 'number' || value === null) return value;
  return Array.isArray(value) ? value.length : undefined;
}

function redactValue(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return redactString(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return value;
  if (depth > MAX_DEPTH) return REDACTED;
  if (Array.isArray(value)) return value.slice(0, MAX_ITEMS).map((v) => redactValue(v, depth + 1));
  if (typeof value === 'object') return redactObject(value as Record<string, unknown>, depth);
  return undefined;
}

function redactString(s: string): string {
  // Every shape SECRET_VALUE knows has a `_` or an `@`: most strings (names, ids) need no regex at all.
  const clean = s.includes('_') || s.includes('@') ? s.replace(SECRET_VALUE, REDACTED) : s;
  return clean.length > MAX_STRING ? `${clean.slice(0, MAX_STRING)}…` : clean;
}
