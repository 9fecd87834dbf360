/**
 * What an API token looks like: `sy_`, 32 random base62 characters (190 bits), then 6 base62 characters of their
 * CRC32, as GitHub's tokens do. The prefix lets secret scanners spot a leaked one and the checksum lets them (and
 * the master, before any database lookup) tell a real shape from a typo offline. Only the SHA-256 digest is kept.
 */
import { createHash, randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { API_TOKEN_PATTERN } from '@scrapyard/protocol';

const PREFIX = 'sy_';
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const RANDOM_CHARS = 32;
const CHECKSUM_CHARS = 6;
/** Characters of a token shown in lists: the prefix and 5 random ones. */
const HINT_CHARS = 8;

function base62(n: number, width: number): string {
  let out = '';
  for (let i = 0; i < width; i++) {
    out = BASE62.charAt(n % 62) + out;
    n = Math.floor(n / 62);
  }
  return out;
}

/** Unbiased: bytes at or above 248 (4 × 62) are dropped rather than folded onto the first characters. */
function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const b of randomBytes(length * 2)) {
      if (b < 248 && out.length < length) out += BASE62.charAt(b % 62);
    }
  }
  return out;
}

const checksumOf = (random: string) => base62(crc32(random), CHECKSUM_CHARS);

/** Whether `s` has a token's shape and a matching checksum (no database needed). */
export function isWellFormedToken(s: string): boolean {
  if (!API_TOKEN_PATTERN.test(s)) return false;
  const random = s.slice(PREFIX.length, PREFIX.length + RANDOM_CHARS);
  return checksumOf(random) === s.slice(PREFIX.length + RANDOM_CHARS);
}

/** What is stored for a token: the SHA-256 of the whole token, hex. */
export const tokenDigest = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

/** A new token: the secret (shown once), its digest (stored) and its hint (listed). */
export function mintToken(): { secret: string; digest: string; hint: string } {
  const random = randomBase62(RANDOM_CHARS);
  const secret = `${PREFIX}${random}${checksumOf(random)}`;
  return { secret, digest: tokenDigest(secret), hint: secret.slice(0, HINT_CHARS) };
}
