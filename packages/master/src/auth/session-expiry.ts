/**
 * Whether a browser session may still be used: the rule, apart from the store, so it is tested on its own. A
 * session ends at its absolute expiry, after the idle time without use, when its user is disabled, and when its
 * user's password changed after it was created (checked at every use, so it holds across masters and restarts
 * even if the event that deletes such sessions was missed).
 */

export interface SessionTimes {
  createdAt: number;
  /** The last use known (the store's, or a newer one not yet written). */
  lastSeenAt: number;
  /** The absolute expiry. */
  expiresAt: number;
}

export interface SessionOwner {
  disabled: boolean;
  passwordChangedAt: number;
}

/** When the session ends unless used again. */
export function sessionEndsAt(s: SessionTimes, idleMs: number): number {
  return Math.min(s.expiresAt, s.lastSeenAt + idleMs);
}

export type DeadReason = 'expired' | 'idle' | 'user-disabled' | 'password-changed';

/** Why the session can't be used at `now`, or null when it can. */
export function deadReason(s: SessionTimes, owner: SessionOwner, now: number, idleMs: number): DeadReason | null {
  if (owner.disabled) return 'user-disabled';
  if (s.createdAt < owner.passwordChangedAt) return 'password-changed';
  if (now >= s.expiresAt) return 'expired';
  if (now >= s.lastSeenAt + idleMs) return 'idle';
  return null;
}

/** How often last use is written: a tenth of the idle time, between 1/4 s and 30 s. */
export function lastSeenFlushMs(idleMs: number): number {
  return Math.min(30_000, Math.max(250, Math.floor(idleMs / 10)));
}
