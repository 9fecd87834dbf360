import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  MAX_COOKIE_HEADER_BYTES,
  clearedSessionCookie,
  csrfTokenOf,
  newSessionSecret,
  sessionCookie,
  sessionDigest,
  sessionSecretIn,
} from './session-cookie.js';

void test('a session secret is 32 random bytes in base64url; the store keeps its SHA-256, the CSRF token differs', () => {
  const a = newSessionSecret();
  assert.match(a, /^[A-Za-z0-9_-]{43}$/);
  assert.equal(Buffer.from(a, 'base64url').length, 32);
  assert.notEqual(newSessionSecret(), a);
  assert.match(sessionDigest(a), /^[0-9a-f]{64}$/);
  assert.notEqual(csrfTokenOf(a), sessionDigest(a));
  assert.notEqual(csrfTokenOf(a), Buffer.from(sessionDigest(a), 'hex').toString('base64url'));
  assert.equal(csrfTokenOf(a), csrfTokenOf(a), 'stateless: the same on every master');
});

void test('the cookie is read among others; malformed, duplicated or oversized is no session', () => {
  const s = newSessionSecret();
  assert.equal(sessionSecretIn(`scrapyard_session=${s}`), s);
  assert.equal(sessionSecretIn(`theme=dark; scrapyard_session=${s} ; lang=en`), s);
  assert.equal(sessionSecretIn(undefined), undefined);
  assert.equal(sessionSecretIn('theme=dark'), undefined);
  assert.equal(sessionSecretIn('scrapyard_session='), undefined);
  assert.equal(sessionSecretIn(`scrapyard_session=${s.slice(1)}`), undefined, 'too short');
  assert.equal(sessionSecretIn(`scrapyard_session=${s}x`), undefined, 'too long');
  assert.equal(sessionSecretIn(`scrapyard_session=${s.slice(1)}%`), undefined, 'not base64url');
  assert.equal(sessionSecretIn(`xscrapyard_session=${s}`), undefined, 'another cookie whose name ends like ours');
  assert.equal(sessionSecretIn(`scrapyard_session=${s}; scrapyard_session=${newSessionSecret()}`), undefined);
  const padding = `pad=${'x'.repeat(MAX_COOKIE_HEADER_BYTES)}`;
  assert.equal(sessionSecretIn(`scrapyard_session=${s}; ${padding}`), undefined, 'header over 8 KB');
});

void test('Set-Cookie: HttpOnly, SameSite=Strict, Path=/, Secure only under HTTPS; logout expires it', () => {
  const s = newSessionSecret();
  assert.equal(sessionCookie(s, { secure: false }), `scrapyard_session=${s}; Path=/; HttpOnly; SameSite=Strict`);
  assert.match(sessionCookie(s, { secure: true }), /; Secure$/);
  assert.equal(
    clearedSessionCookie({ secure: false }),
    'scrapyard_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0',
  );
});
