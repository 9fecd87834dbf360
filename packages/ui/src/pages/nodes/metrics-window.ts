/**
 * The windows a node's host charts show (pure): the choice, kept in the page's query (`?window=1h`), and the
 * GET /api/v1/nodes/:id/metrics query it asks (`since`, and the most samples the API answers: the newest ones).
 */
export const WINDOWS = [
  { id: '15m', label: '15 minutes', ms: 15 * 60_000 },
  { id: '1h', label: '1 hour', ms: 60 * 60_000 },
  { id: '6h', label: '6 hours', ms: 6 * 60 * 60_000 },
  { id: '24h', label: '24 hours', ms: 24 * 60 * 60_000 },
] as const;

export type WindowId = (typeof WINDOWS)[number]['id'];

export const DEFAULT_WINDOW: WindowId = '1h';

/** The API's cap on samples per answer. */
export const MAX_SAMPLES = 10_000;

/** The window a `?window=` value names; anything else: the default. */
export function parseWindow(search: string): WindowId {
  const asked = new URLSearchParams(search).get('window');
  return WINDOWS.find((w) => w.id === asked)?.id ?? DEFAULT_WINDOW;
}

export function windowMs(id: WindowId): number {
  return WINDOWS.find((w) => w.id === id)!.ms;
}

/** The metrics query string of a window ending now. */
export function metricsQuery(id: WindowId, now: number): string {
  return new URLSearchParams({ since: String(Math.max(0, now - windowMs(id))), limit: String(MAX_SAMPLES) }).toString();
}
