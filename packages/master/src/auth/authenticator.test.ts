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

void test('the metrics token reads /metrics and nothing else; /metrics is also open to whoever may read', async () => {
  const METRICS = 'scrape-token-0123456789';
  const withToken = (username = '', password = '') =>
    new Authenticator({
      username,
      password,
      adminToken: TOKEN,
      nodeForSessionToken: () => undefined,
      metricsToken: METRICS,
    });
  const all: Capability[] = [...CAPS, 'metrics'];
  const can = (a: Authenticator, header: string | undefined) => capsOf(a, header, all);

  const guarded = withToken('admin', 'pw');
  assert.deepEqual(await who(guarded, `Bearer ${METRICS}`), { kind: 'metrics-scraper' });
  assert.deepEqual(await can(guarded, `Bearer ${METRICS}`), ['metrics']);
  assert.deepEqual(await can(guarded, basic('admin', 'pw')), ['scrapyd', 'read', 'admin', 'metrics']);
  assert.deepEqual(await can(guarded, `Bearer ${TOKEN}`), ['scrapyd', 'read', 'admin', 'metrics']);
  for (const wrong of [undefined, `Bearer ${METRICS}x`, `Bearer ${METRICS.slice(1)}`, `Basic ${METRICS}`, METRICS]) {
    assert.deepEqual(await can(guarded, wrong), [], String(wrong));
  }
  // Without basic auth the REST reads are open, and so is /metrics (as on Scrapyd's loopback default).
  assert.deepEqual(await can(withToken(), undefined), ['scrapyd', 'read', 'metrics']);
  // A metrics token set to the admin token never takes the admin's place.
  const same = new Authenticator({
    username: '',
    password: '',
    adminToken: TOKEN,
    nodeForSessionToken: () => undefined,
    metricsToken: TOKEN,
  });
  assert.deepEqual(await who(same, `Bearer ${TOKEN}`), { kind: 'admin', via: 'admin-token' });
  // No token configured: no bearer value becomes a scraper, not even an empty one.
  const none = make('admin', 'pw');
  assert.deepEqual(await who(none, 'Bearer '), { kind: 'anonymous' });
  assert.deepEqual(await can(none, `Bearer ${METRICS}`), []);
});

void test('a malformed admin token is a programming error', async () => {
  assert.throws(
    () => new Authenticator({ username: '', password: '', adminToken: 'short', nodeForSessionToken: () => undefined }),
    /malformed/,
  );
});

void test('a known header: kept only for a resolver that can say it still holds; agents never', async () => {
  const live = new Set([SESSION]);
  const asked = { plain: 0, kept: 0, reused: 0 };
  let holds = true;
  const user = { kind: 'user', userId: 'u', name: 'u', grants: [] } as const;
  const a = new Authenticator({
    username: '',
    password: '',
    adminToken: TOKEN,
    nodeForSessionToken: (t) => (live.has(t) ? 'node-1' : undefined),
    resolvers: [
      // An embedder's resolver without reuse: asked at every request, as before.
      { bearer: async (t) => (t === 'plain' ? (asked.plain++, user) : undefined) },
      {
        basic: async (u) => (u === 'kept' ? (asked.kept++, user) : undefined),
        reuse: (p) => (asked.reused++, holds ? p : undefined),
      },
    ],
  });
  for (let i = 0; i < 3; i++) {
    assert.equal((await who(a, 'Bearer plain')).kind, 'user');
    assert.equal((await who(a, basic('kept', 'x'))).kind, 'user');
    assert.equal((await who(a, `Bearer ${SESSION}`)).kind, 'node');
  }
  assert.deepEqual(asked, { plain: 3, kept: 1, reused: 2 });
  holds = false;
  assert.equal((await who(a, basic('kept', 'x'))).kind, 'user');
  assert.deepEqual(asked, { plain: 3, kept: 2, reused: 3 }, 'no longer holding: resolved again');
  live.delete(SESSION);
  assert.deepEqual(await who(a, `Bearer ${SESSION}`), { kind: 'anonymous' }, "an agent's session ends at once");
});
