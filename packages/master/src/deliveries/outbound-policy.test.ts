import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OutboundPolicy } from './outbound-policy.js';

void test('the default allows ordinary hosts and refuses link-local and metadata addresses', () => {
  const p = new OutboundPolicy(['*']);
  assert.equal(p.refusal('hooks.example.com', '93.184.216.34'), null);
  assert.equal(p.refusal('localhost', '127.0.0.1'), null);
  assert.match(p.refusal('evil.example.com', '169.254.169.254') ?? '', /link-local or cloud metadata/);
  assert.match(p.refusal('x', '::ffff:169.254.169.254') ?? '', /metadata/);
  assert.match(p.refusal('x', 'fe80::1') ?? '', /metadata/);
  assert.match(p.refusal('metadata.google.internal', '10.1.2.3') ?? '', /metadata/);
});

void test('an explicit list allows only what it names; a listed link-local address is the operator\u2019s choice', () => {
  const p = new OutboundPolicy(['hooks.example.com', '*.slack.com', '10.0.0.0/8', '169.254.10.10']);
  assert.equal(p.refusal('hooks.example.com', '1.2.3.4'), null);
  assert.equal(p.refusal('api.slack.com', '1.2.3.4'), null);
  assert.equal(p.refusal('internal', '10.20.30.40'), null);
  assert.equal(p.refusal('x', '169.254.10.10'), null);
  assert.match(p.refusal('other.example.org', '1.2.3.4') ?? '', /not in outbound_allowed_hosts/);
  assert.match(p.refusal('x', '169.254.169.254') ?? '', /not in outbound_allowed_hosts/);
});

void test('lookup refuses a name that resolves to a forbidden address', async () => {
  const p = new OutboundPolicy(['*']);
  assert.equal(await p.resolve('127.0.0.1'), '127.0.0.1');
  await assert.rejects(p.resolve('169.254.169.254'), /metadata/);
});
