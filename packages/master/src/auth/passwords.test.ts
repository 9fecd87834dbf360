/**
 * Password hashes: the self-describing format, right and wrong passwords, a hash at an older cost reported for
 * upgrade, an unknown user costing one scrypt run like a wrong password, the rule, and the bound on hashes at once.
 * Tests use a cheap cost (N=2^10); the product's is CURRENT_COST.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CURRENT_COST, HashQueueFull, PasswordHasher, parseHash, passwordProblem } from './passwords.js';

const CHEAP = { logN: 10, r: 8, p: 1 };

void test('the product hashes at N=2^17, r=8, p=1', () => {
  assert.deepEqual({ ...CURRENT_COST }, { logN: 17, r: 8, p: 1 });
});

void test('a hash names its cost and salt; the right password verifies, a wrong one does not', async () => {
  const h = new PasswordHasher({ cost: CHEAP });
  const stored = await h.hash('correct horse battery');
  assert.match(stored, /^scrypt\$10\$8\$1\$[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=$/);
  assert.deepEqual(parseHash(stored)?.cost, CHEAP);
  assert.notEqual(await h.hash('correct horse battery'), stored, 'a new salt each time');
  assert.deepEqual(await h.verify('correct horse battery', stored), { ok: true, outdated: false });
  assert.deepEqual(await h.verify('correct horse batterY', stored), { ok: false, outdated: false });
  assert.deepEqual(await h.verify('', stored), { ok: false, outdated: false });
});

void test('a hash made at another cost verifies and is reported outdated (upgraded at the next login)', async () => {
  const old = await new PasswordHasher({ cost: { logN: 9, r: 8, p: 1 } }).hash('correct horse battery');
  const now = new PasswordHasher({ cost: CHEAP });
  assert.deepEqual(await now.verify('correct horse battery', old), { ok: true, outdated: true });
  assert.deepEqual(await now.verify('wrong horse battery', old), { ok: false, outdated: true });
});

void test('an unknown user (no hash) or a damaged hash costs one scrypt run, like a wrong password', async () => {
  const h = new PasswordHasher({ cost: CHEAP });
  const stored = await h.hash('correct horse battery');
  await h.prepare();
  const runs = async (f: () => Promise<unknown>) => {
    const before = h.derived;
    await f();
    return h.derived - before;
  };
  assert.equal(await runs(() => h.verify('wrong horse battery', stored)), 1);
  assert.equal(await runs(() => h.verify('correct horse battery', undefined)), 1);
  assert.equal(await runs(() => h.verify('correct horse battery', 'md5$abc')), 1);
  assert.deepEqual(await h.verify('correct horse battery', undefined), { ok: false, outdated: false });
  assert.deepEqual(await h.verify('correct horse battery', 'scrypt$99$8$1$AAAA$AAAA'), { ok: false, outdated: false });
});

void test('the rule: 12 characters at least, not the name, not one character repeated', () => {
  assert.match(passwordProblem('short', 'alice') ?? '', /at least 12 characters, not the user name/);
  assert.ok(passwordProblem('', 'alice'));
  assert.ok(passwordProblem('aaaaaaaaaaaaaaaa', 'alice'));
  assert.ok(passwordProblem('Alice.Example', 'alice.example'));
  assert.equal(passwordProblem('correct horse battery', 'alice'), undefined);
  assert.ok(passwordProblem('ééééééééééé', 'alice'), 'characters, not bytes');
});

void test('hashes at once are bounded; beyond the queue the caller is told to retry', async () => {
  const h = new PasswordHasher({ cost: CHEAP, concurrency: 1, queue: 1 });
  const all = Promise.allSettled([h.hash('a'.repeat(12)), h.hash('b'.repeat(12)), h.hash('c'.repeat(12))]);
  const [a, b, c] = await all;
  assert.equal(a.status, 'fulfilled');
  assert.equal(b.status, 'fulfilled', 'one waits for the slot');
  assert.ok(c.status === 'rejected' && c.reason instanceof HashQueueFull);
  assert.equal((c.reason as HashQueueFull).code, 'TOO_MANY_LOGINS');
  // The slot is free again.
  assert.match(await h.hash('d'.repeat(12)), /^scrypt\$/);
});
