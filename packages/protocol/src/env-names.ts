/**
 * SCRAPYARD_* variables that are not config keys but that the product itself reads or sets (the crawl runner's
 * wiring, the config search override, the test harness): an unknown-variable warning must never name them.
 */
const PRODUCT_ENV_NAMES = new Set([
  'SCRAPYARD_CONFIG_SEARCH',
  'SCRAPYARD_EGG_PATH',
  'SCRAPYARD_EXIT_FILE',
  'SCRAPYARD_STATS_FILE',
  'SCRAPYARD_STATS_SOCKET',
  'SCRAPYARD_STATS_TOKEN_FD',
  'SCRAPYARD_STATS_INTERVAL',
]);
const PRODUCT_ENV_PREFIXES = ['SCRAPYARD_TEST_'];

/**
 * One warning per SCRAPYARD_* variable that is neither one of `known` nor read by the product elsewhere, with the
 * closest known name when it is an obvious typo (a few letters away).
 */
export function unknownEnvWarnings(
  env: Record<string, string | undefined>,
  known: Iterable<string>,
  daemon: string,
): string[] {
  const names = [...known];
  const knownSet = new Set(names);
  return Object.keys(env)
    .filter((n) => n.startsWith('SCRAPYARD_') && env[n] !== undefined)
    .filter((n) => !knownSet.has(n) && !PRODUCT_ENV_NAMES.has(n) && !PRODUCT_ENV_PREFIXES.some((p) => n.startsWith(p)))
    .sort()
    .map((n) => {
      const near = closestName(n, names);
      return `${n} is not a setting of ${daemon} and is ignored${near ? ` (did you mean ${near}?)` : ''}`;
    });
}

/** The closest of `candidates` to `name` when it is within a typo's distance (about a third of its length), else null. */
export function closestName(name: string, candidates: Iterable<string>): string | null {
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(name.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  const core = name.replace(/^(SCRAPYARD|SCRAPYD)_/i, '');
  return bestDistance <= Math.max(1, Math.min(3, Math.floor(core.length / 3))) ? best : null;
}

function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) {
      next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    row = next;
  }
  return row[b.length]!;
}
