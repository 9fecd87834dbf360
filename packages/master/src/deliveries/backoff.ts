/**
 * When a failed delivery is tried again: 1 s, 2 s, 4 s … doubling up to an hour, ±20 % jitter so receivers that
 * came back are not hit by every hook at once; a receiver's Retry-After (429, 503) is honoured within that hour.
 */
export const RETRY_BASE_MS = 1_000;
export const RETRY_MAX_MS = 3_600_000;

export function retryDelayMs(failedAttempts: number, retryAfterMs: number | null, random = Math.random): number {
  const exp = Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** Math.max(0, failedAttempts - 1));
  const jittered = Math.round(exp * (0.8 + 0.4 * random()));
  return Math.min(RETRY_MAX_MS, Math.max(jittered, retryAfterMs ?? 0));
}

/** Retry-After as seconds or an HTTP date, in ms from now; null when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now: number): number | null {
  if (!value) return null;
  if (/^\d{1,9}$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}
