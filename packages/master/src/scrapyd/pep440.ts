// PEP 440 versions as Python's `packaging.version.Version` parses and orders them, and the version ordering of
// listversions.json built on it (docs/scrapyd-api.md §2.2). Scrapyd ≥ 1.4 sorts a project's (sanitized) version names with
// `sorted(versions, key=Version)` and falls back to plain string order when any name is not PEP 440; the last
// element is "latest", which is what a job without `_version` runs. Getting this wrong runs the wrong code.
//
// Numbers are bigints: a version component may be any length (deploy timestamps, hashes of digits).

/** A parsed PEP 440 version, already normalized (e.g. `1.0-Alpha.1` → pre `a1`, `1.0-r` → post 0). */
export interface ParsedVersion {
  epoch: bigint;
  release: bigint[];
  pre: { letter: 'a' | 'b' | 'rc'; number: bigint } | null;
  post: bigint | null;
  dev: bigint | null;
  /** Local segment parts: numbers for all-digit parts, lowercased strings otherwise. */
  local: Array<bigint | string> | null;
}

// packaging's VERSION_PATTERN, anchored, with surrounding whitespace allowed and case ignored.
const VERSION_PATTERN = new RegExp(
  String.raw`^\s*v?` +
    String.raw`(?:(?<epoch>[0-9]+)!)?` +
    String.raw`(?<release>[0-9]+(?:\.[0-9]+)*)` +
    String.raw`(?<pre>[-_.]?(?<preL>alpha|a|beta|b|preview|pre|c|rc)[-_.]?(?<preN>[0-9]+)?)?` +
    String.raw`(?<post>(?:-(?<postN1>[0-9]+))|(?:[-_.]?(?<postL>post|rev|r)[-_.]?(?<postN2>[0-9]+)?))?` +
    String.raw`(?<dev>[-_.]?(?<devL>dev)[-_.]?(?<devN>[0-9]+)?)?` +
    String.raw`(?:\+(?<local>[a-z0-9]+(?:[-_.][a-z0-9]+)*))?` +
    String.raw`\s*$`,
  'i',
);

const PRE_LETTERS: Record<string, 'a' | 'b' | 'rc'> = {
  a: 'a',
  alpha: 'a',
  b: 'b',
  beta: 'b',
  c: 'rc',
  pre: 'rc',
  preview: 'rc',
  rc: 'rc',
};

/** Parses `text` as PEP 440, or returns null where `packaging.version.Version` raises InvalidVersion. */
export function parsePep440(text: string): ParsedVersion | null {
  const m = VERSION_PATTERN.exec(text);
  if (!m?.groups) return null;
  const g = m.groups;
  const num = (s: string | undefined): bigint => BigInt(s ?? '0'); // a letter without a number means 0
  let post: bigint | null = null;
  if (g.postN1 !== undefined) post = num(g.postN1);
  else if (g.postL !== undefined) post = num(g.postN2);
  return {
    epoch: num(g.epoch),
    release: (g.release ?? '0').split('.').map((part) => BigInt(part)),
    pre: g.preL === undefined ? null : { letter: PRE_LETTERS[g.preL.toLowerCase()] ?? 'rc', number: num(g.preN) },
    post,
    dev: g.devL === undefined ? null : num(g.devN),
    local:
      g.local === undefined
        ? null
        : g.local
            .toLowerCase()
            .split(/[-_.]/)
            .map((part) => (/^[0-9]+$/.test(part) ? BigInt(part) : part)),
  };
}

/** The normalized form, as `str(Version(text))` prints it: `1!2.0rc1.post3.dev4+abc.5`. */
export function formatPep440(v: ParsedVersion): string {
  let out = v.epoch === 0n ? '' : `${v.epoch}!`;
  out += v.release.join('.');
  if (v.pre) out += `${v.pre.letter}${v.pre.number}`;
  if (v.post !== null) out += `.post${v.post}`;
  if (v.dev !== null) out += `.dev${v.dev}`;
  if (v.local) out += `+${v.local.join('.')}`;
  return out;
}

// packaging's _cmpkey uses ±Infinity sentinels; here they are ranks compared before the numbers.
const LOW = -1;
const HIGH = 1;

function cmp(a: bigint | string | number, b: bigint | string | number): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Orders two versions per PEP 440: epoch, release (trailing zeros ignored), then
 * `.devN` < `aN` < `bN` < `rcN` < final < `.postN`, then local (none < any; numeric parts above alphanumeric).
 * Strings are parsed first and must be valid.
 *
 * @example comparePep440('1.0.dev1', '1.0a1') // -1
 */
export function comparePep440(a: ParsedVersion | string, b: ParsedVersion | string): number {
  const x = typeof a === 'string' ? mustParse(a) : a;
  const y = typeof b === 'string' ? mustParse(b) : b;
  return (
    cmp(x.epoch, y.epoch) ||
    compareRelease(x.release, y.release) ||
    comparePre(x, y) ||
    compareOptional(x.post, y.post, LOW) ||
    compareOptional(x.dev, y.dev, HIGH) ||
    compareLocal(x.local, y.local)
  );
}

function mustParse(text: string): ParsedVersion {
  const v = parsePep440(text);
  if (v === null) throw new TypeError(`Invalid version: '${text}'`);
  return v;
}

function compareRelease(a: bigint[], b: bigint[]): number {
  // `1.0` == `1.0.0`: missing trailing components count as zeros.
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const c = cmp(a[i] ?? 0n, b[i] ?? 0n);
    if (c) return c;
  }
  return 0;
}

// A bare `.devN` (no pre, no post) sorts before every pre-release of the same release; no pre at all (a final
// or post release) sorts after them.
function preKey(v: ParsedVersion): [number, string, bigint] {
  if (v.pre) return [0, v.pre.letter, v.pre.number];
  if (v.post === null && v.dev !== null) return [LOW, '', 0n];
  return [HIGH, '', 0n];
}

function comparePre(x: ParsedVersion, y: ParsedVersion): number {
  const [ra, la, na] = preKey(x);
  const [rb, lb, nb] = preKey(y);
  return cmp(ra, rb) || cmp(la, lb) || cmp(na, nb); // 'a' < 'b' < 'rc' as strings
}

/** Absent sorts as `absentRank` (LOW: before any number; HIGH: after any number). */
function compareOptional(a: bigint | null, b: bigint | null, absentRank: number): number {
  if (a === null && b === null) return 0;
  if (a === null) return absentRank;
  if (b === null) return -absentRank;
  return cmp(a, b);
}

function compareLocal(a: Array<bigint | string> | null, b: Array<bigint | string> | null): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? -1 : 1;
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const p = a[i];
    const q = b[i];
    if (p === undefined || q === undefined) break;
    // packaging keys numbers as (n, '') and strings as (-inf, s): every string part is below every number.
    const pNum = typeof p === 'bigint';
    const qNum = typeof q === 'bigint';
    const c = pNum === qNum ? cmp(p, q) : pNum ? 1 : -1;
    if (c) return c;
  }
  return cmp(a.length, b.length);
}

/**
 * listversions.json order (docs/scrapyd-api.md §2.2): ascending PEP 440 when EVERY name parses, else ascending by code point.
 * Latest = last element. Equal versions (`1.0` and `1`) keep a deterministic code-point order between them,
 * where Scrapyd would keep its directory-listing order.
 *
 * @example sortVersionNames(['1_9', '1_10']) // ['1_10', '1_9'] — not PEP 440, so lexical
 * @example sortVersionNames(['1700003600', '999']) // ['999', '1700003600']
 */
export function sortVersionNames(names: string[]): string[] {
  const parsed = names.map((name) => ({ name, version: parsePep440(name) }));
  const all = parsed.every((p) => p.version !== null);
  return parsed
    .sort((p, q) => {
      const byVersion = all && p.version && q.version ? comparePep440(p.version, q.version) : 0;
      return byVersion || compareCodePoints(p.name, q.name);
    })
    .map((p) => p.name);
}

/** Python's `str` order: by Unicode code point (JS `<` compares UTF-16 units, which differs above U+FFFF). */
export function compareCodePoints(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const c = cmp(x[i]?.codePointAt(0) ?? 0, y[i]?.codePointAt(0) ?? 0);
    if (c) return c;
  }
  return cmp(x.length, y.length);
}
