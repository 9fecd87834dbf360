import assert from 'node:assert/strict';
import { test } from 'node:test';
import { API_TOKEN_PATTERN } from '@scrapyard/protocol';
import { isWellFormedToken, mintToken, tokenDigest } from './api-token-format.js';

void test('a token is sy_, 32 base62 characters and a 6-character checksum; the hint is its first 8', () => {
  const { secret, digest, hint } = mintToken();
  assert.match(secret, API_TOKEN_PATTERN);
  assert.equal(secret.length, 41);
  assert.ok(isWellFormedToken(secret));
  assert.equal(hint, secret.slice(0, 8));
  assert.match(digest, /^[0-9a-f]{64}$/);
  assert.equal(digest, tokenDigest(secret));
  assert.notEqual(mintToken().secret, secret);
});

void test('a changed character, a wrong prefix or a wrong length fails the checksum or the shape', () => {
  const { secret } = mintToken();
  for (let i = 3; i < secret.length; i++) {
    const c = secret[i] === 'a' ? 'b' : 'a';
    assert.equal(isWellFormedToken(secret.slice(0, i) + c + secret.slice(i + 1)), false, `position ${i}`);
  }
  assert.equal(isWellFormedToken(`sx_${secret.slice(3)}`), false);
  assert.equal(isWellFormedToken(`${secret}0`), false);
  assert.equal(isWellFormedToken(secret.slice(0, -1)), false);
  assert.equal(isWellFormedToken('hunter2'), false);
});

void test('the random part uses the whole base62 alphabet', () => {
  const seen = new Set<string>();
  for (let i = 0; i < 200; i++) for (const ch of mintToken().secret.slice(3, 35)) seen.add(ch);
  assert.equal(seen.size, 62);
});
