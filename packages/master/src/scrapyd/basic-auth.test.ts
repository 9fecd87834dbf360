import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UNAUTHORIZED_REPLY, createBasicAuth } from './basic-auth.js';

const basic = (credentials: string | Buffer, scheme = 'Basic'): string =>
  `${scheme} ${Buffer.from(credentials).toString('base64')}`;

void test('accepts exactly the configured credentials', () => {
  const check = createBasicAuth('scrapy', 'secret');
  assert.equal(check('Basic c2NyYXB5OnNlY3JldA=='), true);
  assert.equal(check(basic('scrapy:secret')), true);
  assert.equal(check(basic('scrapy:Secret')), false);
  assert.equal(check(basic('Scrapy:secret')), false);
  assert.equal(check(basic('scrapy:secret ')), false);
  assert.equal(check(basic('scrapy:')), false);
  assert.equal(check(basic(':secret')), false);
  assert.equal(check(basic('scrapysecret')), false); // no colon at all
  assert.equal(check(basic('')), false);
  assert.equal(check(undefined), false);
  assert.equal(check(''), false);
  assert.equal(check('Basic'), false);
  assert.equal(check('Bearer c2NyYXB5OnNlY3JldA=='), false);
});

void test('the password may contain colons: split on the first one only', () => {
  const check = createBasicAuth('u', 'p:a:ss');
  assert.equal(check(basic('u:p:a:ss')), true);
  assert.equal(check(basic('u:p')), false);
});

void test('scheme is case-insensitive, padding optional (Twisted appends ===)', () => {
  const check = createBasicAuth('scrapy', 'secret');
  assert.equal(check(basic('scrapy:secret', 'basic')), true);
  assert.equal(check(basic('scrapy:secret', 'BASIC')), true);
  assert.equal(check('Basic c2NyYXB5OnNlY3JldA'), true);
  assert.equal(check('Basic  c2NyYXB5OnNlY3JldA=='), true); // extra space is ignored by the decoder
  assert.equal(check(`Digest ${Buffer.from('scrapy:secret').toString('base64')}`), false);
});

void test('non-ASCII credentials compare as UTF-8 bytes', () => {
  const check = createBasicAuth('josé', 'pässwörd');
  assert.equal(check(basic(Buffer.from('josé:pässwörd', 'utf8'))), true);
  assert.equal(check(basic(Buffer.from('josé:pässwörd', 'latin1'))), false);
});

void test('construction rejects a username with a colon and empty values', () => {
  assert.throws(() => createBasicAuth('a:b', 'p'), /must not contain ":"/);
  assert.throws(() => createBasicAuth('', 'p'), /both a username and a password/);
  assert.throws(() => createBasicAuth('u', ''), /both a username and a password/);
});

void test('401 reply details match Scrapyd', () => {
  assert.equal(UNAUTHORIZED_REPLY.statusCode, 401);
  assert.equal(UNAUTHORIZED_REPLY.body, 'Unauthorized');
  assert.equal(UNAUTHORIZED_REPLY.headers['www-authenticate'], 'basic realm="Scrapyd"');
  assert.ok(Object.isFrozen(UNAUTHORIZED_REPLY) && Object.isFrozen(UNAUTHORIZED_REPLY.headers));
});
