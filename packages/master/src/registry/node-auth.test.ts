import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { handshakeProof, storedKeyOf } from '@scrapyard/protocol';
import { NodeCredentials } from './node-auth.js';

const nonce = randomBytes(32).toString('hex');
const proofFor = (secret: Buffer, nodeId: string, temporary = false) => ({
  nodeId,
  nonce,
  timestamp: 1000,
  mac: handshakeProof(secret, nonce, nodeId, 1000),
  temporary,
});

void test('permanent nodes: current key, rotated (pending) key, wrong secret, revoked', () => {
  const creds = new NodeCredentials(null);
  const old = randomBytes(32);
  const next = randomBytes(32);
  creds.setPermanent('n1', storedKeyOf(old), storedKeyOf(next), false);
  assert.deepEqual(creds.verify(proofFor(old, 'n1')), { ok: true, kind: 'permanent', rotated: false });
  assert.deepEqual(creds.verify(proofFor(next, 'n1')), { ok: true, kind: 'permanent', rotated: true });
  assert.equal(creds.verify(proofFor(randomBytes(32), 'n1')).ok, false);
  assert.equal(creds.verify(proofFor(old, 'unknown')).ok, false);
  creds.setPermanent('n1', storedKeyOf(old), null, true);
  const revoked = creds.verify(proofFor(old, 'n1'));
  assert.equal(revoked.ok === false && revoked.code, 'NODE_REVOKED');
});

void test('temporary nodes: off by default, shared secret when on, never a registered id', () => {
  const off = new NodeCredentials(null);
  const r = off.verify(proofFor(Buffer.from('x'.repeat(32)), 'tmp1', true));
  assert.equal(r.ok === false && r.code, 'TEMPORARY_NODES_OFF');
  const shared = 's'.repeat(40);
  const on = new NodeCredentials(shared);
  assert.deepEqual(on.verify(proofFor(Buffer.from(shared, 'utf8'), 'tmp1', true)), {
    ok: true,
    kind: 'temporary',
    rotated: false,
  });
  assert.equal(on.verify(proofFor(Buffer.from('wrong'.repeat(8), 'utf8'), 'tmp1', true)).ok, false);
  on.setPermanent('perm', storedKeyOf(randomBytes(32)), null, false);
  assert.equal(on.verify(proofFor(Buffer.from(shared, 'utf8'), 'perm', true)).ok, false);
});

void test('the embedded agent authenticates with its per-start key', () => {
  const creds = new NodeCredentials(null);
  const key = randomBytes(32);
  creds.setEmbedded('local', key);
  assert.deepEqual(creds.verify(proofFor(key, 'local')), { ok: true, kind: 'embedded', rotated: false });
  assert.equal(creds.verify(proofFor(randomBytes(32), 'local')).ok, false);
});
