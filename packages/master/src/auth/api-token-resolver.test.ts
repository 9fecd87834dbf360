import assert from 'node:assert/strict';
import { testEachStore } from '../db/stores.test-support.js';
import { ADMIN, addUser, tokenWorld } from './api-tokens.test-support.js';

testEachStore(
  'a token as bearer and as the basic password of any username; cached, no query per use',
  {},
  async (t, store) => {
    const w = await tokenWorld(t, store);
    const { token, secret } = await w.tokens.create(ADMIN, { name: 'ci', role: 'maintainer', projects: ['demo'] });
    const p = await w.resolver.bearer(secret);
    assert.deepEqual(p, {
      kind: 'token',
      tokenId: token.id,
      name: 'ci',
      ownerId: null,
      grants: [{ role: 'maintainer', projects: ['demo'] }],
    });
    assert.deepEqual(await w.resolver.basic('anyone', secret), p);
    assert.deepEqual(await w.resolver.basic('', secret), p);
    for (let i = 0; i < 50; i++) await w.resolver.bearer(secret);
    assert.equal(w.calls.byDigest, 1, 'one lookup, then the cache');
  },
);

testEachStore('the checksum is checked before any lookup', {}, async (t, store) => {
  const w = await tokenWorld(t, store);
  const { secret } = await w.tokens.create(ADMIN, { name: 'ci', role: 'viewer' });
  const typo = `${secret.slice(0, 10)}${secret[10] === 'x' ? 'y' : 'x'}${secret.slice(11)}`;
  assert.equal(await w.resolver.bearer(typo), undefined);
  assert.equal(await w.resolver.basic('u', 'a password'), undefined);
  assert.equal(w.calls.byDigest, 0);
});

testEachStore('revoke takes effect at the next request, even from the cache', {}, async (t, store) => {
  const w = await tokenWorld(t, store);
  const { token, secret } = await w.tokens.create(ADMIN, { name: 'ci', role: 'viewer' });
  assert.ok(await w.resolver.bearer(secret));
  await w.tokens.revoke(ADMIN, token.id);
  assert.equal(await w.resolver.bearer(secret), undefined);
  assert.equal(await w.resolver.basic('u', secret), undefined);
});

testEachStore('an expired token is refused at once, cached or not', {}, async (t, store) => {
  const w = await tokenWorld(t, store);
  const { secret } = await w.tokens.create(ADMIN, { name: 'ci', role: 'viewer', expiresAt: w.clock.now + 5_000 });
  assert.ok(await w.resolver.bearer(secret));
  w.clock.now += 5_000;
  assert.equal(await w.resolver.bearer(secret), undefined);
});

testEachStore(
  "a user's token is capped by the owner's current grants and dies with a disabled owner",
  {},
  async (t, store) => {
    const w = await tokenWorld(t, store);
    const ann = await addUser(w.db, 'ann', [{ role: 'maintainer', projects: ['a', 'b'] }]);
    const { token, secret } = await w.tokens.create(ann, { name: 'mine', role: 'maintainer', projects: ['a', 'b'] });
    const grantsNow = async () => {
      const p = await w.resolver.bearer(secret);
      return p?.kind === 'token' ? p.grants : undefined;
    };
    assert.deepEqual(await grantsNow(), [{ role: 'maintainer', projects: ['a', 'b'] }]);
    // What the users service does (part 3): write, then publish access.changed.
    const change = (change: 'granted' | 'disabled') =>
      w.events.publish({
        type: 'access.changed',
        entity: 'user',
        id: 'ann',
        name: 'ann',
        change,
        userId: 'ann',
        summary: {},
      });
    await w.db
      .updateTable('users')
      .set({ grants: JSON.stringify([{ role: 'viewer', projects: ['b'] }]) })
      .execute();
    change('granted');
    assert.deepEqual(await grantsNow(), [{ role: 'viewer', projects: ['b'] }]);
    await w.db.updateTable('users').set({ disabled: 1 }).execute();
    change('disabled');
    assert.equal(await grantsNow(), undefined);
    assert.equal(token.ownerId, 'ann');
  },
);

testEachStore(
  'last use is recorded coalesced: many uses of many tokens, one UPDATE per flush',
  {},
  async (t, store) => {
    const w = await tokenWorld(t, store);
    const one = await w.tokens.create(ADMIN, { name: 'one', role: 'viewer' });
    const two = await w.tokens.create(ADMIN, { name: 'two', role: 'viewer' });
    for (let i = 0; i < 100; i++) {
      await w.resolver.bearer(one.secret);
      await w.resolver.basic('x', two.secret);
    }
    assert.equal(w.calls.touch.length, 0, 'no write per request');
    w.clock.now += 7;
    await w.lastUse.flush();
    assert.equal(w.calls.touch.length, 1);
    assert.deepEqual(w.calls.touch[0]?.sort(), [one.token.id, two.token.id].sort());
    const used = (await w.tokens.list(ADMIN)).map((x) => x.lastUsedAt);
    assert.deepEqual(used, [w.clock.now, w.clock.now]);
    await w.lastUse.flush();
    assert.equal(w.calls.touch.length, 1, 'nothing used since: no query');
  },
);
