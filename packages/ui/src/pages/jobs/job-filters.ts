/**
 * The jobs list's filters as the URL keeps them (pure): parsed from the page's query string, written back to it, and
 * turned into the query of GET /api/v1/jobs. Kept in the URL so a filtered list can be bookmarked, shared and
 * reloaded; anything unknown or malformed in the URL is dropped rather than sent to the API to be refused.
 */
export const FILTER_KEYS = ['project', 'spider', 'state', 'outcome', 'nodeId', 'tag', 'since', 'until'] as const;
export type FilterKey = (typeof FILTER_KEYS)[number];
export type JobFilters = Partial<Record<FilterKey, string>>;

export const STATES = ['pending', 'running', 'finished'] as const;
export const OUTCOMES = ['succeeded', 'failed', 'cancelled', 'lost', 'timed_out', 'stalled'] as const;

/** `since`/`until` in the URL are what a datetime-local input holds (`2026-12-07T10:30`) or epoch ms. */
const TIME = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?|\d{1,15})$/;
const VALID: Record<FilterKey, (v: string) => boolean> = {
  project: (v) => v.length <= 200,
  spider: (v) => v.length <= 200,
  state: (v) => v.split(',').every((s) => (STATES as readonly string[]).includes(s)),
  outcome: (v) => (OUTCOMES as readonly string[]).includes(v),
  nodeId: (v) => v.length <= 200,
  tag: (v) => v.length <= 200,
  since: (v) => TIME.test(v),
  until: (v) => TIME.test(v),
};

export function parseFilters(search: string): JobFilters {
  const params = new URLSearchParams(search);
  const out: JobFilters = {};
  for (const key of FILTER_KEYS) {
    const v = params.get(key)?.trim();
    if (v && VALID[key](v)) out[key] = v;
  }
  return out;
}

/** The page's query string for filters and a page cursor (`''` when none). */
export function filtersSearch(filters: JobFilters, cursor?: string): string {
  const params = new URLSearchParams();
  for (const key of FILTER_KEYS) {
    const v = filters[key];
    if (v) params.set(key, v);
  }
  if (cursor) params.set('cursor', cursor);
  const s = params.toString();
  return s === '' ? '' : `?${s}`;
}

/** The local time of a datetime-local value as epoch ms (the API takes ms or ISO with a zone; the input has none). */
export function timeParam(v: string): string {
  if (/^\d+$/.test(v)) return v;
  const ms = new Date(v).getTime();
  return Number.isFinite(ms) ? String(ms) : '';
}

/** GET /api/v1/jobs's query for filters, a page size and a cursor. */
export function listQuery(filters: JobFilters, limit: number, cursor?: string): string {
  const params = new URLSearchParams();
  for (const key of FILTER_KEYS) {
    const v = filters[key];
    if (!v) continue;
    const value = key === 'since' || key === 'until' ? timeParam(v) : v;
    if (value !== '') params.set(key, value);
  }
  params.set('limit', String(limit));
  if (cursor) params.set('cursor', cursor);
  return params.toString();
}

export const hasFilters = (f: JobFilters) => FILTER_KEYS.some((k) => f[k]);
