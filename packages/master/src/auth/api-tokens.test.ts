import assert from 'node:assert/strict';
import { CatalogueError } from '@scrapyard/protocol';
import { testEachStore } from '../db/stores.test-support.js';
import { ADMIN, addUser, tokenWorld } from './api-tokens.test-support.js';
import { tokenDigest } from './api-token-format.js';

const code = (c: string) => (e: unknown) => e instanceof CatalogueError && e.code === c;

testEachStore('a token is stored only as its digest; the secret is answered once', {}, async (t, store) => {
  const w = await tokenWorld(t, store);
  const { token, secret } = await w.tokens.create(ADMIN, { name: 'ci', role: 'maintainer', projects: ['demo'] });
  assert.equal(token.hint, secret.slice(0, 8));
  assert.deepEqual([token.role, token.projects, token.ownerId, token.state], ['maintainer', ['demo'], null, 'active']);
  const rows = await w.db.selectFrom('api_tokens').selectAll().execute();
  assert.equal(rows.length, 1);
  assert.equal(rows[0]?.digest, tokenDigest(secret));
  assert.ok(!JSON.stringify(rows).includes(secret.slice(8)), 'no column holds the secret');
  assert.ok(!JSON.stringify(await w.tokens.list(ADMIN)).includes(secret.slice(8)), 'lists never show it');
});

testEachStore('a user may not create a token wider than their own grants', {}, async (t, store) => {
  const w = await tokenWorld(t, store);
  const op = await addUser(w.db, 'op', [{ role: 'operator', projects: ['a'] }]);
  await assert.rejects(w.tokens.create(op, { name: 'x', role: 'maintainer', projects: ['a'] }), code('TOKEN_TOO_WIDE'));
  await assert.rejects(w.tokens.create(op, { name: 'x', role: 'operator' }), code('TOKEN_TOO_WIDE'));
  await assert.rejects(
    w.tokens.create(op, { name: 'x', role: 'viewer', projects: ['a', 'b'] }),
    code('TOKEN_TOO_WIDE'),
  );
  await assert.rejects(w.tokens.create(op, { name: 'x', role: 'metrics' }), code('TOKEN_TOO_WIDE'));
  await assert.rejects(w.tokens.create(op, { name: 'x', role: 'viewer', serviceAccount: true }), code('FORBIDDEN'));
  assert.equal((await w.db.selectFrom('api_tokens').selectAll().execute()).length, 0, 'nothing stored');
  const { token } = await w.tokens.create(op, { name: 'mine', role: 'viewer', projects: ['a'] });
  assert.equal(token.ownerId, 'op');
  assert.equal(token.createdBy, 'op');
});

testEachStore('an expiry must lie ahead; a token past it lists as expired', {}, async (t, store) => {
  const w = await tokenWorld(t, store);
  const req = { name: 'x', role: 'viewer' as const };
  await assert.rejects(w.tokens.create(ADMIN, { ...req, expiresAt: w.clock.now }), code('BAD_REQUEST'));
  const { token } = await w.tokens.create(ADMIN, { ...req, expiresAt: w.clock.now + 1_000 });
  assert.equal(token.state, 'active');
  w.clock.now += 1_000;
  assert.equal((await w.tokens.list(ADMIN))[0]?.state, 'expired');
});

testEachStore("users list and revoke their own tokens; someone else's is not found", {}, async (t, store) => {
  const w = await tokenWorld(t, store);
  const ann = await addUser(w.db, 'ann', [{ role: 'viewer', projects: '*' }]);
  const bob = await addUser(w.db, 'bob', [{ role: 'viewer', projects: '*' }]);
  const a = (await w.tokens.create(ann, { name: 'a', role: 'viewer' })).token;
  const b = (await w.tokens.create(bob, { name: 'b', role: 'viewer' })).token;
  const svc = (await w.tokens.create(ADMIN, { name: 'svc', role: 'admin' })).token;
  assert.deepEqual(
    (await w.tokens.list(ann)).map((x) => x.id),
    [a.id],
  );
  assert.deepEqual((await w.tokens.list(ADMIN)).map((x) => x.id).sort(), [a.id, b.id, svc.id].sort());
  await assert.rejects(w.tokens.revoke(ann, b.id), code('NOT_FOUND'));
  await assert.rejects(w.tokens.revoke(ann, svc.id), code('NOT_FOUND'));
  const revoked = await w.tokens.revoke(ann, a.id);
  assert.equal(revoked.state, 'revoked');
  assert.equal(revoked.revokedAt, w.clock.now);
  assert.equal((await w.tokens.revoke(ADMIN, b.id)).state, 'revoked');
});
