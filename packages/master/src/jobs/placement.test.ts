import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normalizeTags, place, type Candidate } from './placement.js';

const agent = (nodeId: string, tags: string[], o: Partial<Candidate> = {}): Candidate => ({
  nodeId,
  tags: new Set(tags),
  dedicated: false,
  cordoned: false,
  freeSlots: 2,
  load: 0,
  ...o,
});

void test('a job lands only on agents having all its tags', () => {
  const r = place(['gpu', 'eu'], [agent('a', ['eu']), agent('b', ['eu', 'gpu', 'x'])]);
  assert.equal(r.ok && r.agent.nodeId, 'b');
  const none = place(['gpu'], [agent('a', ['eu'])]);
  assert.deepEqual(none, { ok: false, reason: 'no online agent has tags [gpu]' });
});

void test('dedicated agents take only tagged jobs they match', () => {
  const d = agent('d', ['gpu'], { dedicated: true, freeSlots: 10 });
  assert.equal((place([], [d, agent('a', [], { freeSlots: 1 })]) as { agent: Candidate }).agent.nodeId, 'a');
  assert.deepEqual(place([], [d]), { ok: false, reason: 'no online agent takes untagged jobs (all are dedicated)' });
  assert.equal((place(['gpu'], [d]) as { agent: Candidate }).agent.nodeId, 'd');
});

void test('most free slots, then lowest load, then node id', () => {
  const pick = (as: Candidate[]) => {
    const r = place([], as);
    return r.ok ? r.agent.nodeId : r.reason;
  };
  assert.equal(pick([agent('a', [], { freeSlots: 1 }), agent('b', [], { freeSlots: 3 })]), 'b');
  assert.equal(pick([agent('a', [], { load: 0.9 }), agent('b', [], { load: 0.1 })]), 'b');
  assert.equal(pick([agent('b', []), agent('a', [])]), 'a');
});

void test('reasons: full, cordoned, none online', () => {
  assert.deepEqual(place([], []), { ok: false, reason: 'no agent online' });
  const full = [agent('a', [], { freeSlots: 0 }), agent('b', [], { freeSlots: 0 }), agent('c', [], { freeSlots: 0 })];
  assert.deepEqual(place([], full), { ok: false, reason: 'all 3 matching agents are full' });
  assert.deepEqual(place([], [agent('a', [], { cordoned: true })]), {
    ok: false,
    reason: 'all 1 matching agent is cordoned',
  });
  assert.deepEqual(place([], [agent('a', [], { cordoned: true }), agent('b', [], { freeSlots: 0 })]), {
    ok: false,
    reason: 'all 1 matching agent is full (1 more cordoned)',
  });
});

void test('tags normalize to a sorted unique list', () => {
  assert.deepEqual(normalizeTags(['b', 'a', 'b']), ['a', 'b']);
});
