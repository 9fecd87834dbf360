/**
 * Browser sessions (`/api/v1/session`, `/api/v1/sessions`): a login by name and password sets an HttpOnly cookie;
 * these are the shapes that cross the wire. The cookie's value never does, except in `Set-Cookie`.
 */
import { z } from 'zod';
import { EpochMs } from '../primitives.js';
import { Grants } from './access.js';

/** Longest user name and password a login accepts (a longer one is refused before any hashing). */
export const LOGIN_NAME_MAX = 200;
export const LOGIN_PASSWORD_MAX = 1024;

export const LoginRequest = z
  .object({
    name: z.string().min(1).max(LOGIN_NAME_MAX),
    password: z.string().min(1).max(LOGIN_PASSWORD_MAX),
  })
  .strict();
export type LoginRequest = z.infer<typeof LoginRequest>;

/** One server-side session, as its owner and admins see it. */
export const BrowserSession = z.object({
  id: z.string(),
  userId: z.string(),
  userName: z.string(),
  address: z.string(),
  userAgent: z.string(),
  createdAt: EpochMs,
  lastSeenAt: EpochMs,
  /** When it ends unless used again: the earlier of the idle and the absolute expiry. */
  expiresAt: EpochMs,
  /** When it ends whatever happens (session_lifetime_seconds after the login). */
  absoluteExpiresAt: EpochMs,
  /** The session of the request that asked. */
  current: z.boolean(),
});
export type BrowserSession = z.infer<typeof BrowserSession>;

export const BrowserSessionList = z.object({ sessions: z.array(BrowserSession) });
export type BrowserSessionList = z.infer<typeof BrowserSessionList>;

/**
 * Who the cookie's holder is (POST and GET /api/v1/session). `csrfToken` goes in `X-CSRF-Token` on every
 * state-changing request from a browser that sends neither `Sec-Fetch-Site` nor `Origin`.
 */
export const SessionWho = z.object({
  user: z.object({ id: z.string(), name: z.string(), grants: Grants }),
  session: BrowserSession,
  csrfToken: z.string(),
});
export type SessionWho = z.infer<typeof SessionWho>;
