import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { handshakeProof, storedKeyOf, verifyHandshakeProof } from './handshake.js';

void test('a proof verifies against the stored key only, for its own nonce, node and timestamp', () => {
  const secret = randomBytes(32);
  const stored = storedKeyOf(secret);
  const nonce = randomBytes(32).toString('hex');
  const proof = handshakeProof(secret, nonce, 'node-1', 1000);
  assert.equal(verifyHandshakeProof(stored, proof, nonce, 'node-1', 1000), true);
  assert.equal(verifyHandshakeProof(stored, proof, randomBytes(32).toString('hex'), 'node-1', 1000), false);
  assert.equal(verifyHandshakeProof(stored, proof, nonce, 'node-2', 1000), false);
  assert.equal(verifyHandshakeProof(stored, proof, nonce, 'node-1', 1001), false);
  assert.equal(verifyHandshakeProof(storedKeyOf(randomBytes(32)), proof, nonce, 'node-1', 1000), false);
  assert.equal(verifyHandshakeProof(stored, 'zz', nonce, 'node-1', 1000), false);
});

void test('the stored key is not enough to make a proof', () => {
  const secret = randomBytes(32);
  const stored = storedKeyOf(secret);
  const nonce = randomBytes(32).toString('hex');
  // An attacker holding the database uses the stored key as if it were the secret: rejected.
  const forged = handshakeProof(Buffer.from(stored, 'hex'), nonce, 'n', 5);
  assert.equal(verifyHandshakeProof(stored, forged, nonce, 'n', 5), false);
  assert.notEqual(stored, secret.toString('hex'));
});
