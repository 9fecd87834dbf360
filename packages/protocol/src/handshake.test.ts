import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import {
  decoyServerProof,
  handshakeProof,
  serverProof,
  storedKeyOf,
  verifyHandshakeProof,
  verifyServerProof,
} from './handshake.js';

const nonce = () => randomBytes(32).toString('hex');

void test('a proof verifies against the stored key only, for its own nonces, node and timestamp', () => {
  const secret = randomBytes(32);
  const stored = storedKeyOf(secret);
  const [sn, cn] = [nonce(), nonce()];
  const proof = handshakeProof(secret, sn, cn, 'node-1', 1000);
  assert.equal(verifyHandshakeProof(stored, proof, sn, cn, 'node-1', 1000), true);
  assert.equal(verifyHandshakeProof(stored, proof, nonce(), cn, 'node-1', 1000), false);
  assert.equal(verifyHandshakeProof(stored, proof, sn, nonce(), 'node-1', 1000), false);
  assert.equal(verifyHandshakeProof(stored, proof, sn, cn, 'node-2', 1000), false);
  assert.equal(verifyHandshakeProof(stored, proof, sn, cn, 'node-1', 1001), false);
  assert.equal(verifyHandshakeProof(storedKeyOf(randomBytes(32)), proof, sn, cn, 'node-1', 1000), false);
  assert.equal(verifyHandshakeProof(stored, 'zz', sn, cn, 'node-1', 1000), false);
});

void test('the stored key is not enough to make a proof', () => {
  const secret = randomBytes(32);
  const stored = storedKeyOf(secret);
  const [sn, cn] = [nonce(), nonce()];
  // An attacker holding the database uses the stored key as if it were the secret: rejected.
  const forged = handshakeProof(Buffer.from(stored, 'hex'), sn, cn, 'n', 5);
  assert.equal(verifyHandshakeProof(stored, forged, sn, cn, 'n', 5), false);
  assert.notEqual(stored, secret.toString('hex'));
});

void test("the master's proof convinces only an agent holding the matching secret, for these nonces and node", () => {
  const secret = randomBytes(32);
  const stored = storedKeyOf(secret);
  const [sn, cn] = [nonce(), nonce()];
  const proof = serverProof(stored, sn, cn, 'node-1');
  assert.equal(verifyServerProof(secret, [proof], sn, cn, 'node-1'), true);
  // One good proof among several (a master mid-rotation proves both keys it holds) is enough.
  assert.equal(verifyServerProof(secret, [decoyServerProof(sn, cn, 'node-1'), proof], sn, cn, 'node-1'), true);
  assert.equal(verifyServerProof(randomBytes(32), [proof], sn, cn, 'node-1'), false);
  assert.equal(verifyServerProof(secret, [proof], nonce(), cn, 'node-1'), false);
  assert.equal(verifyServerProof(secret, [proof], sn, nonce(), 'node-1'), false);
  assert.equal(verifyServerProof(secret, [proof], sn, cn, 'node-2'), false);
  assert.equal(verifyServerProof(secret, [decoyServerProof(sn, cn, 'node-1')], sn, cn, 'node-1'), false);
  assert.equal(verifyServerProof(secret, ['zz', ''], sn, cn, 'node-1'), false);
  assert.equal(verifyServerProof(secret, [], sn, cn, 'node-1'), false);
  // An agent's own proof can't be reflected back as the master's.
  assert.equal(verifyServerProof(secret, [handshakeProof(secret, sn, cn, 'node-1', 0)], sn, cn, 'node-1'), false);
});
