import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkExposure, isLoopbackAddress } from './bind-exposure.js';

void test('loopback: 127/8, ::1, mapped 127.x and localhost; any other address or name is exposed', () => {
  for (const a of [
    '127.0.0.1',
    '127.0.0.2',
    '127.255.255.254',
    '::1',
    '[::1]',
    '0:0:0:0:0:0:0:1',
    '::ffff:127.0.0.1',
    'localhost',
    'LOCALHOST',
  ]) {
    assert.equal(isLoopbackAddress(a), true, a);
  }
  for (const a of [
    '0.0.0.0',
    '::',
    '::0',
    '10.0.0.1',
    '128.0.0.1',
    '::ffff:10.0.0.1',
    'fd00::2',
    'example.com',
    'localhost.example',
    '127.1',
    '',
  ]) {
    assert.equal(isLoopbackAddress(a), false, a);
  }
});

void test('exposure: refused without credentials off loopback, unless allowed (then a warning)', () => {
  const base = { username: '', password: '', allowUnauthenticated: false };
  assert.deepEqual(checkExposure({ ...base, bindAddress: '127.0.0.1' }), { verdict: 'ok' });
  assert.deepEqual(checkExposure({ ...base, bindAddress: '0.0.0.0', username: 'u', password: 'p' }), { verdict: 'ok' });
  const refused = checkExposure({ ...base, bindAddress: '0.0.0.0' });
  assert.equal(refused.verdict, 'refuse');
  assert.match('message' in refused ? refused.message : '', /allow_unauthenticated = on/);
  assert.equal(checkExposure({ ...base, bindAddress: '::', allowUnauthenticated: true }).verdict, 'warn');
});

void test('exposure: users in the store are credentials too', () => {
  const base = { username: '', password: '', allowUnauthenticated: false, bindAddress: '0.0.0.0' };
  assert.deepEqual(checkExposure({ ...base, hasUsers: true }), { verdict: 'ok' });
  const refused = checkExposure({ ...base, hasUsers: false });
  assert.match('message' in refused ? refused.message : '', /scrapyard-master user add NAME --role admin/);
});
