import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canonicalHost, OutboundPolicy } from './outbound-policy.js';

/** Hosts as a webhook URL may name them, with the address they mean and an entry that lists it. */
const NON_PUBLIC: [host: string, address: string, listed: string][] = [
  ['127.0.0.1', '127.0.0.1', '127.0.0.1'],
  ['127.1', '127.0.0.1', '127.0.0.1'],
  ['2130706433', '127.0.0.1', '127.0.0.1'],
  ['0x7f.1', '127.0.0.1', '127.0.0.1'],
  ['0x7f000001', '127.0.0.1', '127.0.0.0/8'],
  ['017700000001', '127.0.0.1', '127.0.0.1'],
  ['0177.0.0.1', '127.0.0.1', '127.0.0.0/8'],
  ['[::1]', '::1', '::1'],
  ['[::ffff:127.0.0.1]', '::ffff:7f00:1', '127.0.0.1'],
  ['[::ffff:7f00:1]', '::ffff:7f00:1', '127.0.0.1'],
  ['[::127.0.0.1]', '::7f00:1', '127.0.0.1'],
  ['[64:ff9b::127.0.0.1]', '64:ff9b::7f00:1', '127.0.0.1'],
  ['[64:ff9b::a9fe:a9fe]', '64:ff9b::a9fe:a9fe', '169.254.169.254'],
  ['[2002:7f00:1::]', '2002:7f00:1::', '127.0.0.1'],
  ['0.0.0.0', '0.0.0.0', '0.0.0.0'],
  ['0', '0.0.0.0', '0.0.0.0/8'],
  ['[::]', '::', '::'],
  ['169.254.169.254', '169.254.169.254', '169.254.169.254'],
  ['168.63.129.16', '168.63.129.16', '168.63.129.16'],
  ['100.100.100.200', '100.100.100.200', '100.100.100.200'],
  ['[fd00:ec2::254]', 'fd00:ec2::254', 'fd00:ec2::254'],
  ['100.64.0.1', '100.64.0.1', '100.64.0.0/10'],
  ['[fd00::1]', 'fd00::1', 'fc00::/7'],
  ['[fe80::1]', 'fe80::1', 'fe80::/10'],
  ['10.0.0.1', '10.0.0.1', '10.0.0.0/8'],
  ['192.168.1.1', '192.168.1.1', '192.168.0.0/16'],
  ['172.16.0.1', '172.16.0.1', '172.16.0.0/12'],
  ['172.31.255.255', '172.31.255.255', '172.16.0.0/12'],
  ['224.0.0.1', '224.0.0.1', '224.0.0.1'],
  ['255.255.255.255', '255.255.255.255', '255.255.255.255'],
];

void test('by default every non-public address is refused, in every notation, when saved and when connecting', () => {
  const p = new OutboundPolicy(['*']);
  for (const [host, address] of NON_PUBLIC) {
    assert.match(p.urlRefusal(`http://${host}:8080/hook`) ?? '', /outbound_allowed_hosts/, `URL host ${host}`);
    assert.match(p.hostRefusal(host) ?? '', /outbound_allowed_hosts/, `SMTP host ${host}`);
    assert.match(p.refusal(host, address) ?? '', /outbound_allowed_hosts/, `${host} connecting to ${address}`);
    assert.match(p.refusal('hooks.example.com', address) ?? '', /outbound_allowed_hosts/, `a name for ${address}`);
  }
  assert.match(p.refusal('x', '127.0.0.1') ?? '', /x \(127\.0\.0\.1\) is a loopback address/);
  assert.match(p.hostRefusal('168.63.129.16') ?? '', /cloud metadata/);
  assert.match(p.hostRefusal('[::ffff:10.1.2.3]') ?? '', /private address \(10\.1\.2\.3 in an IPv6 form\)/);
});

void test('a listed address, CIDR or name allows exactly that, in every notation', () => {
  for (const [host, address, listed] of NON_PUBLIC) {
    const p = new OutboundPolicy(['*', listed]);
    assert.equal(p.urlRefusal(`http://${host}:8080/hook`), null, `URL host ${host} with ${listed} listed`);
    assert.equal(p.hostRefusal(host), null, `SMTP host ${host} with ${listed} listed`);
    assert.equal(p.refusal(host, address), null, `${host} connecting to ${address} with ${listed} listed`);
  }
  const p = new OutboundPolicy(['*', '127.0.0.1']);
  assert.match(p.hostRefusal('127.0.0.2') ?? '', /loopback/);
  assert.match(p.hostRefusal('10.0.0.1') ?? '', /private/);
  const names = new OutboundPolicy(['*', 'hooks.internal', '*.corp.example']);
  assert.equal(names.refusal('hooks.internal', '10.1.2.3'), null);
  assert.equal(names.refusal('a.b.corp.example', '192.168.0.4'), null);
  assert.match(names.refusal('other.internal', '10.1.2.3') ?? '', /private/);
});

void test('public addresses pass through *, and only through *', () => {
  const p = new OutboundPolicy(['*']);
  for (const a of ['93.184.216.34', '8.8.8.8', '2606:4700:4700::1111', '::ffff:8.8.8.8', '64:ff9b::808:808']) {
    assert.equal(p.refusal('hooks.example.com', a), null, a);
  }
  assert.equal(p.urlRefusal('https://hooks.example.com/x'), null);
  assert.equal(p.urlRefusal('https://[2606:4700:4700::1111]/x'), null);
  const strict = new OutboundPolicy(['hooks.example.com', '10.0.0.0/8']);
  assert.equal(strict.refusal('hooks.example.com', '1.2.3.4'), null);
  assert.equal(strict.refusal('internal', '10.20.30.40'), null);
  assert.match(strict.refusal('other.example.org', '1.2.3.4') ?? '', /not in outbound_allowed_hosts/);
  assert.match(strict.hostRefusal('1.2.3.4') ?? '', /not in outbound_allowed_hosts/);
  // A name may resolve to a listed address: only the connection can tell.
  assert.equal(strict.hostRefusal('other.example.org'), null);
});

void test('localhost and the metadata names are refused by name when saved', () => {
  const p = new OutboundPolicy(['*']);
  for (const h of ['localhost', 'LOCALHOST.', 'api.localhost', 'metadata.google.internal', 'metadata']) {
    assert.match(p.hostRefusal(h) ?? '', /outbound_allowed_hosts/, h);
  }
  assert.match(p.refusal('metadata.google.internal', '8.8.8.8') ?? '', /metadata/);
  assert.equal(new OutboundPolicy(['*', '127.0.0.1']).hostRefusal('localhost'), null);
  assert.equal(new OutboundPolicy(['*', 'metadata.google.internal']).hostRefusal('metadata.google.internal'), null);
});

void test('canonicalHost reads hosts as the URL parser does', () => {
  assert.equal(canonicalHost('0x7f.1'), '127.0.0.1');
  assert.equal(canonicalHost('[::FFFF:127.0.0.1]'), '::ffff:7f00:1');
  assert.equal(canonicalHost('Hooks.Example.com.'), 'hooks.example.com');
});

void test('lookup keeps only allowed addresses and refuses a name left with none', async () => {
  const p = new OutboundPolicy(['*']);
  await assert.rejects(p.resolve('localhost'), /loopback address/);
  await assert.rejects(p.resolve('127.1'), /loopback address/);
  await assert.rejects(p.resolve('169.254.169.254'), /metadata/);
  const local = new OutboundPolicy(['*', '127.0.0.1', '::1']);
  assert.match(await local.resolve('localhost'), /^(127\.0\.0\.1|::1)$/);
  assert.equal(await new OutboundPolicy(['*', '127.0.0.1']).resolve('127.0.0.1'), '127.0.0.1');
});
