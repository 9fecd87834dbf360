// HTTP basic auth for the Scrapyd-compatible surface (docs/scrapyd-api.md §1.1), matching Twisted's BasicCredentialFactory and
// Scrapyd's StringCredentialsChecker: scheme `basic` in any case, base64 decoded leniently, split at the FIRST
// colon (so passwords may contain `:`), then an exact byte comparison with the UTF-8 of the configured pair.
// The route layer decides which paths it guards (all of them, OPTIONS included) and answers failures with
// UNAUTHORIZED_REPLY.
import { createHash, timingSafeEqual } from 'node:crypto';

/** What Scrapyd (Twisted's UnauthorizedResource) sends on a missing or wrong Authorization header. */
export const UNAUTHORIZED_REPLY = Object.freeze({
  statusCode: 401,
  body: 'Unauthorized',
  headers: Object.freeze({
    'www-authenticate': 'basic realm="Scrapyd"',
    // Twisted's default content type; the body is not HTML, but clients only look at the status.
    'content-type': 'text/html',
  }),
});

/** Checks an Authorization header value; true only for the configured credentials. */
export type BasicAuthCheck = (authorizationHeader: string | undefined) => boolean;

/** A basic-auth header's username and password as sent (bytes: the comparison is on bytes, as Twisted's is). */
export interface BasicPair {
  username: Buffer;
  password: Buffer;
}

/** Checks a decoded pair; true only for the configured credentials. */
export type BasicPairCheck = (pair: BasicPair) => boolean;

// Comparing fixed-size digests makes timingSafeEqual usable on inputs of any length, and keeps the time spent
// independent of how long the guess or the secret is (a plain length check would leak the secret's length).
const digest = (bytes: Buffer): Buffer => createHash('sha256').update(bytes).digest();

/**
 * A header's pair, decoded as Twisted does: scheme `basic` in any case, everything after the first space as the
 * token (Twisted splits on spaces and rejoins the rest), base64 decoded leniently, split at the first colon.
 * Undefined when it is no basic-auth header or carries no colon.
 */
export function splitBasic(header: string): BasicPair | undefined {
  const space = header.indexOf(' ');
  if (space === -1 || header.slice(0, space).toLowerCase() !== 'basic') return undefined;
  const decoded = Buffer.from(header.slice(space + 1), 'base64');
  const colon = decoded.indexOf(0x3a);
  if (colon === -1) return undefined;
  return { username: decoded.subarray(0, colon), password: decoded.subarray(colon + 1) };
}

/**
 * Builds the check of a decoded pair. Both values must be non-empty (Scrapyd enables auth only when both are set,
 * so the caller leaves auth off instead), and the username must not contain `:`, which basic auth cannot carry.
 */
export function createPairCheck(username: string, password: string): BasicPairCheck {
  if (username === '' || password === '') {
    throw new Error('basic auth needs both a username and a password (leave both empty to disable it)');
  }
  if (username.includes(':')) {
    throw new Error(`basic auth username must not contain ":" (got ${JSON.stringify(username)})`);
  }
  const expectedUser = digest(Buffer.from(username, 'utf8'));
  const expectedPass = digest(Buffer.from(password, 'utf8'));
  return (pair) => {
    // Both comparisons always run, so a wrong username costs the same time as a wrong password.
    const userOk = timingSafeEqual(digest(pair.username), expectedUser);
    const passOk = timingSafeEqual(digest(pair.password), expectedPass);
    return userOk && passOk;
  };
}

/**
 * Builds the credential check of a header (createPairCheck's rules).
 *
 * @example
 * const check = createBasicAuth('scrapy', 'secret');
 * check('Basic c2NyYXB5OnNlY3JldA=='); // true
 */
export function createBasicAuth(username: string, password: string): BasicAuthCheck {
  const matches = createPairCheck(username, password);
  return (header) => {
    const pair = header === undefined ? undefined : splitBasic(header);
    return pair !== undefined && matches(pair);
  };
}

/** Longest Authorization header decoded for a username and password; longer ones are nobody's credentials. */
export const BASIC_HEADER_MAX = 4096;

/**
 * A basic-auth header's username and password, decoded as the check above does (lenient base64, first colon),
 * for credentials other than the config's pair (users, tokens as passwords). Undefined when malformed.
 */
export function decodeBasic(header: string): { username: string; password: string } | undefined {
  if (header.length > BASIC_HEADER_MAX) return undefined;
  const pair = splitBasic(header);
  return pair && textOf(pair);
}

/** A decoded pair as text (UTF-8, as users and tokens are stored). */
export function textOf(pair: BasicPair): { username: string; password: string } {
  return { username: pair.username.toString('utf8'), password: pair.password.toString('utf8') };
}
