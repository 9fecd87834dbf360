/**
 * The audit log's filters (pure): read from and written to the page's URL query (so a filtered view is a link), and
 * turned into GET /api/v1/audit's query. Times travel as epoch milliseconds; the form shows them in the browser's zone.
 */
export interface AuditFilters {
  actor: string;
  action: string;
  project: string;
  /** Epoch ms, inclusive bounds. */
  since?: number;
  until?: number;
}

export const NO_FILTERS: AuditFilters = { actor: '', action: '', project: '' };
const TEXT = ['actor', 'action', 'project'] as const;
const TIMES = ['since', 'until'] as const;

function time(v: string | null): number | undefined {
  if (v === null || !/^\d{1,15}$/.test(v)) return undefined;
  return Number(v);
}

/** `?actor=ann&since=…` → filters (unknown or malformed parts ignored). */
export function filtersFromSearch(search: string): AuditFilters {
  const q = new URLSearchParams(search);
  const f: AuditFilters = { ...NO_FILTERS };
  for (const k of TEXT) f[k] = (q.get(k) ?? '').trim();
  for (const k of TIMES) {
    const ms = time(q.get(k));
    if (ms !== undefined) f[k] = ms;
  }
  return f;
}

function params(f: AuditFilters): URLSearchParams {
  const q = new URLSearchParams();
  for (const k of TEXT) if (f[k].trim() !== '') q.set(k, f[k].trim());
  for (const k of TIMES) if (f[k] !== undefined) q.set(k, String(f[k]));
  return q;
}

/** Filters → the page's query (`''` when none), in a fixed order so the same filters make the same URL. */
export function searchOfFilters(f: AuditFilters): string {
  const s = params(f).toString();
  return s === '' ? '' : `?${s}`;
}

/** GET /api/v1/audit's path for these filters, one page of `limit` before `cursor`. */
export function auditPath(f: AuditFilters, cursor: number | undefined, limit: number): string {
  const q = params(f);
  if (cursor !== undefined) q.set('before', String(cursor));
  q.set('limit', String(limit));
  return `audit?${q.toString()}`;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** Epoch ms → a `datetime-local` input's value in the browser's zone (to the minute). */
export function localInputOf(ms: number | undefined): string {
  if (ms === undefined) return '';
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A `datetime-local` value (the browser's zone) → epoch ms; '' or malformed: undefined. */
export function msOfLocalInput(v: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(v);
  if (!m) return undefined;
  const [y, mo, d, h, mi] = m.slice(1).map(Number) as [number, number, number, number, number];
  return new Date(y, mo - 1, d, h, mi).getTime();
}
