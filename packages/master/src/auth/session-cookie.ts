/**
 * The browser session's cookie: its value is 32 random bytes (base64url), a bearer secret the server keeps only as
 * a SHA-256 digest. What a request's Cookie header may hold is bounded before anything is hashed or looked up: an
 * oversized header or a malformed value is simply no session (the request is anonymous).
 */
import { createHash, randomBytes } from 'node:crypto';

export const SESSION_COOKIE = 'scrapyard_session';
/** Larger Cookie headers are not read (browsers cap a cookie at 4 KB; a whole header this size is an attack). */
export const MAX_COOKIE_HEADER_BYTES = 8_192;
const VALUE = /^[A-Za-z0-9_-]{43}$/;

/** A new cookie value. */
export function newSessionSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** What the store keeps of a cookie value (hex). */
export function sessionDigest(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/**
 * The anti-CSRF token of a session: derived from the cookie's value (which pages of other sites can't read:
 * HttpOnly, SameSite=Strict), by another hash than the stored digest, so the store alone doesn't reveal it.
 * Stateless: any master that sees the cookie computes the same token.
 */
export function csrfTokenOf(secret: string): string {
  return createHash('sha256').update(`scrapyard-csrf\0${secret}`, 'utf8').digest('base64url');
}

/** The session cookie's value in a Cookie header, or undefined (absent, malformed, header oversized). */
export function sessionSecretIn(cookieHeader: string | undefined): string | undefined {
  if (cookieHeader === undefined || cookieHeader.length > MAX_COOKIE_HEADER_BYTES) return undefined;
  let found: string | undefined;
  for (const part of cookieHeader.split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1 || part.slice(0, eq).trim() !== SESSION_COOKIE) continue;
    // Two of ours (one set by some other path or host): which is current can't be told, so neither counts.
    if (found !== undefined) return undefined;
    found = part.slice(eq + 1).trim();
  }
  return found !== undefined && VALUE.test(found) ? found : undefined;
}

export interface CookieAttributes {
  /** HTTPS: the master speaks TLS, or public_url is https (TLS ends at a proxy). */
  secure: boolean;
}

/**
 * `Set-Cookie` for a new session. No Max-Age: a browser session cookie; the server ends the session (idle,
 * absolute, logout, revocation), so a copy kept past that is worthless.
 */
export function sessionCookie(secret: string, a: CookieAttributes): string {
  return `${SESSION_COOKIE}=${secret}; Path=/; HttpOnly; SameSite=Strict${a.secure ? '; Secure' : ''}`;
}

/** `Set-Cookie` that makes the browser drop the cookie (logout). */
export function clearedSessionCookie(a: CookieAttributes): string {
  return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0${a.secure ? '; Secure' : ''}`;
}
