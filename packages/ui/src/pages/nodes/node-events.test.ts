import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { NodeInfo } from '@scrapyard/protocol';
import { applyNodeEvent, nodeState } from './node-events.js';
import { enrollCommands } from './enroll-commands.js';

// Only what the events change matters here.
const node = { nodeId: 'n1', online: true, revoked: false, cordoned: false, lastSeen: 1 } as NodeInfo;

void test('cordon, offline and revoke change the node in place', () => {
  const c = applyNodeEvent([node], { type: 'node.cordoned', at: 2, nodeId: 'n1', cordoned: true });
  assert.equal(c.nodes[0]!.cordoned, true);
  const off = applyNodeEvent(c.nodes, { type: 'node.offline', at: 3, nodeId: 'n1', kind: 'permanent', lastSeen: 3 });
  assert.deepEqual([off.nodes[0]!.online, off.nodes[0]!.lastSeen, off.nodes[0]!.cordoned], [false, 3, true]);
  const r = applyNodeEvent(off.nodes, { type: 'node.revoked', at: 4, nodeId: 'n1' });
  assert.equal(r.nodes[0]!.revoked, true);
});

void test('a node the list lacks asks for the list again', () => {
  const s = applyNodeEvent([node], { type: 'node.online', at: 2, nodeId: 'n2', kind: 'permanent' });
  assert.equal(s.refetch, true);
});

void test('the enroll commands name the master and the token', () => {
  assert.equal(
    enrollCommands('http://m:6800', 'enr_1.abc', 'n9'),
    'scrapyard-agent register --url http://m:6800 --token enr_1.abc --node-id n9\nscrapyard-agent',
  );
  assert.equal(
    enrollCommands('http://m', 't', null).split('\n')[0],
    'scrapyard-agent register --url http://m --token t',
  );
});

void test('a node state in words', () => {
  assert.equal(nodeState(node), 'online');
  assert.equal(nodeState({ ...node, online: false, cordoned: true }), 'offline, cordoned');
  assert.equal(nodeState({ ...node, revoked: true }), 'revoked');
});
