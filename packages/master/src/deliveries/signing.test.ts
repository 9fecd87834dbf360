/**
 * Our Standard Webhooks signatures against the reference library (`standardwebhooks`): what we sign, it verifies;
 * a changed body, id, timestamp or key fails.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { newSigningSecret, signatureOf, signedHeaders } from './signing.js';

void test('signatures verify with the reference Standard Webhooks library, and a tampered request fails', () => {
  const secret = newSigningSecret();
  assert.match(secret, /^whsec_[A-Za-z0-9+/]{43}=$/);
  const body = JSON.stringify({ type: 'job.finished', timestamp: new Date().toISOString(), data: { jobId: 'é✓' } });
  const headers = signedHeaders(secret, 'msg_1', body, Date.now());
  assert.equal(headers['webhook-id'], 'msg_1');
  const theirs = new Webhook(secret);
  assert.deepEqual(theirs.verify(body, headers), JSON.parse(body));
  // The reference library's own signature is ours, byte for byte.
  const ts = Number(headers['webhook-timestamp']);
  assert.equal(theirs.sign('msg_1', new Date(ts * 1000), body), signatureOf(secret, 'msg_1', ts, body));

  assert.throws(() => theirs.verify(`${body} `, headers), 'a changed body');
  assert.throws(() => theirs.verify(body, { ...headers, 'webhook-id': 'msg_2' }), 'another id');
  assert.throws(() => theirs.verify(body, { ...headers, 'webhook-timestamp': String(ts + 1) }), 'another time');
  assert.throws(() => new Webhook(newSigningSecret()).verify(body, headers), 'another key');
  const stale = signedHeaders(secret, 'msg_1', body, Date.now() - 3_600_000);
  assert.throws(() => theirs.verify(body, stale), 'a timestamp an hour old');
});
