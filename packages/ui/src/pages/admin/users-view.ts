/** What the users list shows besides the user itself (pure): when each was last seen, from the open sessions. */
import type { BrowserSession } from '@scrapyard/protocol';

/** user id → the latest `lastSeenAt` of their open sessions (a user with none is absent). */
export function lastSeenByUser(sessions: readonly BrowserSession[]): Map<string, number> {
  const seen = new Map<string, number>();
  for (const s of sessions) seen.set(s.userId, Math.max(seen.get(s.userId) ?? 0, s.lastSeenAt));
  return seen;
}

/** The master's rule (auth/passwords.ts), told before typing; a refusal shows the server's own WEAK_PASSWORD text. */
export const PASSWORD_HINT = 'At least 12 characters, not the user name, not one character repeated.';
