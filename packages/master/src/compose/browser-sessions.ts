/**
 * Browser sessions: the store, the service with its cookie resolver, and the password check a login uses. The
 * HTTP side (routes, CSRF hook) is wired in http-surfaces.ts.
 */
import type { Logger } from 'pino';
import { BrowserSessions, type PasswordLogin } from '../auth/browser-sessions.js';
import type { MasterConfig } from '../config.js';
import { createBrowserSessionsRepo } from '../db/repos/browser-sessions.js';
import type { DomainEvents } from '../events/domain-events.js';
import type { Storage } from './storage.js';

export function createBrowserSessions(d: {
  config: MasterConfig;
  logger: Logger;
  now: () => number;
  storage: Storage;
  events: DomainEvents;
  /** The users' password check (auth/user-logins.ts): limited, one answer for every failure. */
  passwords: PasswordLogin;
}) {
  const sessions = new BrowserSessions({
    repo: createBrowserSessionsRepo(d.storage.db),
    events: d.events,
    logger: d.logger.child({ component: 'sessions' }),
    now: d.now,
    idleMs: d.config.sessionIdleSeconds * 1_000,
    lifetimeMs: d.config.sessionLifetimeSeconds * 1_000,
  });
  const passwords = d.passwords;
  // Secure: TLS here, or at a proxy in front (public_url https).
  const cookie = { secure: d.config.tlsCert !== '' || d.config.publicUrl.startsWith('https:') };
  return { sessions, passwords, cookie };
}
