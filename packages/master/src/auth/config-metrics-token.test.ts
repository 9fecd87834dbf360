import assert from 'node:assert/strict';
import pino from 'pino';
import { testEachStore } from '../db/stores.test-support.js';
import { ADMIN, tokenWorld } from './api-tokens.test-support.js';
import { ApiTokenResolver } from './api-token-resolver.js';
import { Authenticator, type Capability } from './authenticator.js';
import { CONFIG_METRICS_TOKEN_NAME, syncConfigMetricsToken } from './config-metrics-token.js';

const METRICS = 'scrape-token-0123456789';
const ADMIN_TOKEN = `adm_${'ab'.repeat(32)}`;
const ALL: Capability[] = ['scrapyd', 'read', 'admin', 'node', 'metrics'];
const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;

/** A token world and a master's start with `metrics_token` set to `secret` (empty: the key removed). */
async function world(t: Parameters<typeof tokenWorld>[0], store: Parameters<typeof tokenWorld>[1]) {
  const w = await tokenWorld(t, store);
  const warnings: string[] = [];
  const logger = pino({ level: 'warn' }, { write: (line: string) => void warnings.push(line) });
  const start = async (secret: string, username = 'admin', password = 'pw', adminToken = ADMIN_TOKEN) => {
    const configDigest = await syncConfigMetricsToken({
      repo: w.repo,
      events: w.events,
      logger,
      now: () => w.clock.now,
      secret,
    });
    const resolver = new ApiTokenResolver({
      repo: w.repo,
      events: w.events,
      lastUse: w.lastUse,
      now: () => w.clock.now,
      configDigest,
    });
    return new Authenticator({
      username,
      password,
      adminToken,
      nodeForSessionToken: () => undefined,
      resolvers: [resolver],
    });
  };
  const can = async (a: Authenticator, authorization: string | undefined) => {
    const p = await a.identify({ authorization }, { address: '127.0.0.1' });
    return ALL.filter((c) => a.allows(p, c));
  };
  const configRows = async () => (await w.tokens.list(ADMIN)).filter((x) => x.name === CONFIG_METRICS_TOKEN_NAME);
  return { ...w, warnings, start, can, configRows };
}

testEachStore(
  'the config metrics_token is a listed token of role metrics: /metrics and nothing else',
  {},
  async (t, store) => {
    const w = await world(t, store);
    const guarded = await w.start(METRICS);
    const [row, ...more] = await w.configRows();
    assert.equal(more.length, 0);
    assert.deepEqual(
      [row?.role, row?.projects, row?.ownerId, row?.state, row?.hint],
      ['metrics', '*', null, 'active', '(config)'],
    );
    const stored = await w.db
      .selectFrom('api_tokens')
      .select('digest')
      .where('id', '=', row!.id)
      .executeTakeFirstOrThrow();
    assert.notEqual(stored.digest, METRICS, 'only its digest is stored');
    assert.ok(!JSON.stringify(row).includes(METRICS), 'the listing shows none of it');

    const p = await guarded.identify({ authorization: `Bearer ${METRICS}` }, { address: '127.0.0.1' });
    assert.deepEqual(p, {
      kind: 'token',
      tokenId: row!.id,
      name: CONFIG_METRICS_TOKEN_NAME,
      ownerId: null,
      grants: [{ role: 'metrics', projects: '*' }],
    });
    assert.deepEqual(await w.can(guarded, `Bearer ${METRICS}`), ['metrics']);
    assert.deepEqual(
      await w.can(guarded, basic('prometheus', METRICS)),
      ['metrics'],
      'as a basic password, like any token',
    );
    assert.deepEqual(await w.can(guarded, basic('admin', 'pw')), ['scrapyd', 'read', 'admin', 'metrics']);
    for (const wrong of [undefined, `Bearer ${METRICS}x`, `Bearer ${METRICS.slice(1)}`, `Basic ${METRICS}`, METRICS]) {
      assert.deepEqual(await w.can(guarded, wrong), [], String(wrong));
    }
    // A token of role metrics made with `token create` reads /metrics the same way.
    const made = await w.tokens.create(ADMIN, { name: 'prometheus', role: 'metrics', serviceAccount: true });
    assert.deepEqual(await w.can(guarded, `Bearer ${made.secret}`), ['metrics']);
    // Without basic auth the REST reads are open, and so is /metrics (as on Scrapyd's loopback default).
    assert.deepEqual(await w.can(await w.start(METRICS, '', ''), undefined), ['scrapyd', 'read', 'metrics']);
    assert.equal((await w.configRows()).length, 1, 'a second start keeps the one row');
  },
);

testEachStore("a metrics_token equal to the admin token never takes the admin's place", {}, async (t, store) => {
  const w = await world(t, store);
  const same = await w.start(ADMIN_TOKEN, '', '', ADMIN_TOKEN);
  assert.deepEqual(await same.identify({ authorization: `Bearer ${ADMIN_TOKEN}` }, { address: 'x' }), {
    kind: 'admin',
    via: 'admin-token',
  });
  const none = await w.start('');
  assert.deepEqual(await w.can(none, 'Bearer '), []);
  assert.deepEqual(await w.can(none, `Bearer ${METRICS}`), []);
});

testEachStore(
  'revoked, the config token is refused at once and stays revoked at the next start, with a warning',
  {},
  async (t, store) => {
    const w = await world(t, store);
    const first = await w.start(METRICS);
    assert.deepEqual(await w.can(first, `Bearer ${METRICS}`), ['metrics']);
    const [row] = await w.configRows();
    await w.tokens.revoke(ADMIN, row!.id);
    assert.deepEqual(await w.can(first, `Bearer ${METRICS}`), [], 'at the next request');
    assert.equal(w.warnings.length, 0);

    const again = await w.start(METRICS);
    assert.deepEqual(await w.can(again, `Bearer ${METRICS}`), [], 'the config does not bring it back');
    assert.deepEqual(
      (await w.configRows()).map((r) => [r.id, r.state]),
      [[row!.id, 'revoked']],
    );
    assert.equal(w.warnings.length, 1);
    assert.match(w.warnings[0]!, /metrics_token/);
    assert.ok(!w.warnings[0]!.includes(METRICS), 'the warning names the key, never the value');

    // A new value is a new row; the revoked one stays listed.
    const NEW = 'another-scrape-token-9876543210';
    const renewed = await w.start(NEW);
    assert.deepEqual(await w.can(renewed, `Bearer ${NEW}`), ['metrics']);
    assert.deepEqual((await w.configRows()).map((r) => r.state).sort(), ['active', 'revoked']);
  },
);

testEachStore('the key removed or changed: its active row is deleted at the next start', {}, async (t, store) => {
  const w = await world(t, store);
  await w.start(METRICS);
  const NEW = 'another-scrape-token-9876543210';
  const changed = await w.start(NEW);
  assert.deepEqual(await w.can(changed, `Bearer ${METRICS}`), [], 'the old value no longer works');
  assert.equal((await w.configRows()).length, 1);
  const removed = await w.start('');
  assert.deepEqual(await w.can(removed, `Bearer ${NEW}`), []);
  assert.deepEqual(await w.configRows(), []);
  // Put back, it works again: removing the key is no revocation.
  const back = await w.start(NEW);
  assert.deepEqual(await w.can(back, `Bearer ${NEW}`), ['metrics']);
});
