/**
 * The login limiter: a name (known or not) or an address is locked after its failures within the window, for
 * the window; a success clears the name; IPv6 counts per /64; memory stays bounded under a flood of names.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LoginLimiter, TooManyLogins, addressKey } from './login-limiter.js';

function limiter(o: Partial<{ maxPerUser: number; maxPerAddress: number; maxKeys: number }> = {}) {
  const clock = { now: 1_000_000 };
  const l = new LoginLimiter({
    maxPerUser: o.maxPerUser ?? 3,
    maxPerAddress: o.maxPerAddress ?? 100,
    windowMs: 60_000,
    now: () => clock.now,
    ...(o.maxKeys ? { maxKeys: o.maxKeys } : {}),
  });
  return { l, clock };
}

const locked = (f: () => void) => assert.throws(f, (e) => e instanceof TooManyLogins && e.code === 'TOO_MANY_LOGINS');

void test('a name is locked after its failures, for the window, whatever the case and the address', () => {
  const { l, clock } = limiter();
  assert.equal(l.failed('alice', '10.0.0.1'), false);
  assert.equal(l.failed('Alice', '10.0.0.2'), false);
  l.check('alice', '10.0.0.3');
  assert.equal(l.failed('alice', '10.0.0.3'), true, 'the third failure locks');
  locked(() => l.check('alice', '10.0.0.9'));
  locked(() => l.check('ALICE', '10.0.0.9'));
  l.check('bob', '10.0.0.1');
  clock.now += 59_000;
  assert.throws(
    () => l.check('alice', '10.0.0.9'),
    (e) => e instanceof TooManyLogins && e.retryAfterSeconds === 1,
  );
  clock.now += 1_000;
  l.check('alice', '10.0.0.9');
});

void test('a name that does not exist is counted and locked the same way (one answer)', () => {
  const { l } = limiter();
  for (let i = 0; i < 3; i++) l.failed('nobody-here', '10.0.0.1');
  locked(() => l.check('nobody-here', '10.0.0.2'));
});

void test('a success clears the name, not the address', () => {
  const { l } = limiter({ maxPerAddress: 4 });
  l.failed('alice', '10.0.0.1');
  l.failed('alice', '10.0.0.1');
  l.succeeded('alice');
  l.failed('alice', '10.0.0.1');
  l.failed('alice', '10.0.0.1');
  l.check('alice', '10.0.0.2');
  locked(() => l.check('carol', '10.0.0.1'));
});

void test('IPv6 addresses count per /64; IPv4-mapped ones as IPv4', () => {
  assert.equal(addressKey('2001:db8:1:2:aaaa::1'), '2001:db8:1:2::/64');
  assert.equal(addressKey('2001:0db8:0001:0002:ffff:ffff:ffff:ffff'), '2001:db8:1:2::/64');
  assert.equal(addressKey('2001:db8::1'), '2001:db8:0:0::/64');
  assert.equal(addressKey('::1'), '0:0:0:0::/64');
  assert.equal(addressKey('fe80::1%eth0'), 'fe80:0:0:0::/64');
  assert.equal(addressKey('::ffff:192.0.2.7'), '192.0.2.7');
  assert.equal(addressKey('192.0.2.7'), '192.0.2.7');
  const { l } = limiter({ maxPerUser: 100, maxPerAddress: 2 });
  l.failed('a', '2001:db8:1:2::1');
  l.failed('b', '2001:db8:1:2::ffff');
  locked(() => l.check('c', '2001:db8:1:2:1:2:3:4'));
  l.check('c', '2001:db8:1:3::1');
});

void test('memory is bounded: a flood of names keeps at most maxKeys', () => {
  const { l } = limiter({ maxKeys: 100 });
  for (let i = 0; i < 5_000; i++) l.failed(`user-${i}`, `10.0.${i % 200}.1`);
  assert.ok(l.size <= 100, `${l.size} keys`);
});
