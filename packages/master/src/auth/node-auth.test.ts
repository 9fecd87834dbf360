import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { handshakeProof, storedKeyOf, verifyServerProof } from '@scrapyard/protocol';
import { NodeCredentials } from './node-auth.js';

const serverNonce = randomBytes(32).toString('hex');
const clientNonce = randomBytes(32).toString('hex');
const proofFor = (secret: Buffer, nodeId: string, temporary = false) => ({
  nodeId,
  serverNonce,
  clientNonce,
  timestamp: 1000,
  mac: handshakeProof(secret, serverNonce, clientNonce, nodeId, 1000),
  temporary,
});
/** Whether the master's answer to `identify` convinces an agent holding `secret`. */
const convinces = (creds: NodeCredentials, secret: Buffer, nodeId: string, temporary = false) => {
  const r = creds.proveTo({ nodeId, temporary, serverNonce, clientNonce });
  return r.ok && verifyServerProof(secret, r.proofs, serverNonce, clientNonce, nodeId);
};

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

void test("the master proves each key it holds for a node, and nothing for keys it doesn't hold", () => {
  const creds = new NodeCredentials('s'.repeat(40));
  const old = randomBytes(32);
  const next = randomBytes(32);
  creds.setPermanent('n1', storedKeyOf(old), storedKeyOf(next), false);
  assert.equal(convinces(creds, old, 'n1'), true);
  assert.equal(convinces(creds, next, 'n1'), true, 'mid-rotation, an agent holding the new secret is convinced too');
  assert.equal(convinces(creds, randomBytes(32), 'n1'), false);
  // An unknown node gets an answer of the same shape that convinces nobody.
  const unknown = creds.proveTo({ nodeId: 'ghost', temporary: false, serverNonce, clientNonce });
  assert.equal(unknown.ok && unknown.proofs.length, 2);
  assert.equal(convinces(creds, old, 'ghost'), false);
  const key = randomBytes(32);
  creds.setEmbedded('local', key);
  assert.equal(convinces(creds, key, 'local'), true);
  assert.equal(convinces(creds, Buffer.from('s'.repeat(40)), 'tmp', true), true);
  const off = new NodeCredentials(null).proveTo({ nodeId: 'tmp', temporary: true, serverNonce, clientNonce });
  assert.equal(off.ok === false && off.code, 'TEMPORARY_NODES_OFF');
});

void test('a revoke is never undone by a rotation or handshake that finishes after it', () => {
  const creds = new NodeCredentials(null);
  const old = randomBytes(32);
  const next = randomBytes(32);
  creds.setPermanent('n1', storedKeyOf(old), null, false);
  // A rotation is under way when the revoke lands; the agent's confirmation (or a handshake proving the new
  // secret) arrives afterwards and promotes the pending key.
  creds.setPending('n1', storedKeyOf(next));
  creds.revoke('n1');
  creds.promote('n1', storedKeyOf(next));
  creds.setPending('n1', storedKeyOf(next));
  const withOld = creds.verify(proofFor(old, 'n1'));
  assert.equal(withOld.ok === false && withOld.code, 'NODE_REVOKED');
  const withNext = creds.verify(proofFor(next, 'n1'));
  assert.equal(withNext.ok === false && withNext.code, 'BAD_CREDENTIALS', 'the rotation died with the revoke');
  // Registering the node again (a new credential) is what brings it back.
  const fresh = randomBytes(32);
  creds.setPermanent('n1', storedKeyOf(fresh), null, false);
  assert.deepEqual(creds.verify(proofFor(fresh, 'n1')), { ok: true, kind: 'permanent', rotated: false });
});

void test('a promotion applies only to the rotation still pending', () => {
  const creds = new NodeCredentials(null);
  const [a, b, c] = [randomBytes(32), randomBytes(32), randomBytes(32)];
  creds.setPermanent('n1', storedKeyOf(a), storedKeyOf(b), false);
  creds.setPending('n1', storedKeyOf(c)); // a newer rotation replaced b
  creds.promote('n1', storedKeyOf(b));
  assert.equal(creds.verify(proofFor(b, 'n1')).ok, false);
  assert.equal(creds.verify(proofFor(a, 'n1')).ok, true);
});
