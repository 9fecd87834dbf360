import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Authenticator, type Capability } from './authenticator.js';

const TOKEN = `adm_${'ab'.repeat(32)}`;
const SESSION = 'cd'.repeat(32);
const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;

function make(username = '', password = '') {
  return new Authenticator({
    username,
    password,
    adminToken: TOKEN,
    nodeForSessionToken: (t) => (t === SESSION ? 'node-1' : undefined),
  });
}

const CAPS: Capability[] = ['scrapyd', 'read', 'admin', 'node'];
const who = (a: Authenticator, authorization: string | undefined) =>
  a.identify({ authorization }, { address: '127.0.0.1' });
async function capsOf(a: Authenticator, header: string | undefined, caps: Capability[]) {
  const p = await who(a, header);
  return caps.filter((c) => a.allows(p, c));
}
const allowed = (a: Authenticator, header: string | undefined) => capsOf(a, header, CAPS);

void test('without basic auth: everyone reads, only the admin token administers, sessions fetch eggs', async () => {
  const a = make();
  assert.deepEqual(await allowed(a, undefined), ['scrapyd', 'read']);
  assert.deepEqual(await allowed(a, `Bearer ${TOKEN}`), ['scrapyd', 'read', 'admin']);
  assert.deepEqual(await allowed(a, `bearer ${TOKEN}`), ['scrapyd', 'read', 'admin'], 'the scheme is case-insensitive');
  assert.deepEqual(await allowed(a, `Bearer ${SESSION}`), ['scrapyd', 'read', 'node']);
  for (const wrong of [
    `Bearer adm_${'00'.repeat(32)}`,
    `Bearer ${TOKEN}x`,
    `Bearer ${TOKEN.slice(0, -1)}`,
    TOKEN,
    `Basic ${TOKEN}`,
    basic('admin', 'admin'),
    `Bearer ${'ef'.repeat(32)}`,
    'Bearer',
  ]) {
    assert.deepEqual(await who(a, wrong), { kind: 'anonymous' }, wrong);
  }
});

void test('with basic auth: the pair reads and administers (as before), the token too, nobody else anything', async () => {
  const a = make('admin', 'pa:ss');
  assert.deepEqual(await who(a, basic('admin', 'pa:ss')), { kind: 'scrapyd-user', username: 'admin' });
  assert.deepEqual(await allowed(a, basic('admin', 'pa:ss')), ['scrapyd', 'read', 'admin']);
  assert.deepEqual(await allowed(a, `Bearer ${TOKEN}`), ['scrapyd', 'read', 'admin']);
  assert.deepEqual(await allowed(a, basic('admin', 'wrong')), []);
  assert.deepEqual(await allowed(a, undefined), []);
  assert.deepEqual(await allowed(a, `Bearer ${SESSION}`), ['node'], 'an agent session only fetches eggs');
});

void test('a malformed admin token is a programming error', async () => {
  assert.throws(
    () => new Authenticator({ username: '', password: '', adminToken: 'short', nodeForSessionToken: () => undefined }),
    /malformed/,
  );
});
