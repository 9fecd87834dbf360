import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_SUMMARY_BYTES, redactSummary } from './redact.js';

const SECRETS = [
  'hunter2-password',
  'sy_4f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c',
  'adm_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
  'whsec_c2VjcmV0LXNpZ25pbmcta2V5',
  'bot123:telegram-token',
  'url-pass',
];

void test('an audit summary keeps names and facts and never a secret, wherever it hides', () => {
  const summary = {
    name: 'nightly',
    password: SECRETS[0],
    nested: { signingSecret: SECRETS[3], botToken: SECRETS[4], keep: 'yes', tokenId: 'tok_1' },
    secret: { webhookUrl: 'https://hooks.slack.com/services/T/B/X' },
    secretFields: ['password'],
    secretChanged: true,
    passwords: ['a', 'b'],
    note: `created with ${SECRETS[1]} by ${SECRETS[2]}`,
    url: `https://user:${SECRETS[5]}@example.com/hook`,
    apiKey: 42,
    Authorization: 'Basic eHh4Onl5eQ==',
  };
  const out = redactSummary(summary);
  const text = JSON.stringify(out);
  for (const s of [...SECRETS, 'eHh4Onl5eQ==', 'hooks.slack.com']) assert.ok(!text.includes(s), `${s} in ${text}`);
  assert.equal(out.name, 'nightly');
  assert.deepEqual(out.nested, { keep: 'yes', tokenId: 'tok_1' });
  assert.deepEqual(out.secretFields, ['password'], 'the names of secret fields are not secrets');
  assert.equal(out.secretChanged, true, 'whether a secret changed is a fact, not the secret');
  assert.equal(out.passwords, 2, 'a list under a secret key is only counted');
  assert.equal(out.apiKey, 42);
  assert.equal('password' in out, false);
  assert.equal('secret' in out, false);
  assert.match(String(out.note), /^created with \[redacted\] by \[redacted\]$/);
  assert.equal(out.url, 'https://[redacted]@example.com/hook');
});

void test('an audit summary is bounded: long strings cut, deep values and huge ones reduced to their keys', () => {
  const out = redactSummary({ long: 'x'.repeat(1_000), deep: { a: { b: { c: { d: { e: 1 } } } } } });
  assert.equal(String(out.long).length, 201);
  assert.deepEqual(out.deep, { a: { b: { c: { d: '[redacted]' } } } });
  const huge = redactSummary(Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${i}`, 'y'.repeat(190)])));
  assert.equal(huge.truncated, true);
  assert.ok(JSON.stringify(huge).length <= MAX_SUMMARY_BYTES);
});
