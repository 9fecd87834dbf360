import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FiringAlerts } from './firing-alerts.js';
import { LabelBudget, OTHER } from './label-budget.js';
import { eligibleFromRow, QueueClock } from './queue-clock.js';

void test('label budget: pairs get their own series up to the cap, then one _other series, reported once', () => {
  const overflows: number[] = [];
  const b = new LabelBudget(2, (max) => overflows.push(max));
  assert.deepEqual(b.labels('p', 'a'), { project: 'p', spider: 'a' });
  assert.deepEqual(b.labels('p', 'b'), { project: 'p', spider: 'b' });
  assert.deepEqual(b.labels('p', 'a'), { project: 'p', spider: 'a' }, 'a known pair keeps its series');
  assert.deepEqual(b.labels('p', 'c'), { project: OTHER, spider: OTHER });
  assert.deepEqual(b.labels('q', 'a'), { project: OTHER, spider: OTHER });
  assert.deepEqual(overflows, [2]);
  assert.equal(b.size, 2);
});

void test('queue clock: eligible times per run, a later backoff wins, bounded, taken once', () => {
  const q = new QueueClock(2);
  q.eligible('a', 100);
  q.eligible('a', 50);
  q.eligible('a', 300); // its backoff ends later
  q.eligible('b', 200);
  q.eligible('c', 250); // over the bound: not kept
  assert.equal(q.size, 2);
  assert.equal(q.take('a'), 300);
  assert.equal(q.take('a'), undefined);
  assert.equal(q.take('c'), undefined);
  assert.equal(q.has('b'), true);
});

void test('queue time from a job row: creation, or the end of its backoff; an unbacked-off retry is unknown', () => {
  assert.equal(eligibleFromRow({ created_at: 1_000, not_before: null, attempt: 1 }), 1_000);
  assert.equal(eligibleFromRow({ created_at: 1_000, not_before: 5_000, attempt: 2 }), 5_000);
  assert.equal(eligibleFromRow({ created_at: 1_000, not_before: null, attempt: 2 }), null);
});

void test('firing alerts: by rule kind from events; the start-up seed never overrides a newer event', async () => {
  const f = new FiringAlerts(3);
  f.changed('a1', 'job_failed', 'firing');
  f.changed('a2', 'job_failed', 'pending');
  assert.deepEqual([...f.byRuleKind()], [['job_failed', 1]]);
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const seeding = f.seed(async () => {
    await gate;
    return [
      { alertId: 'a3', ruleKind: 'node_offline' },
      { alertId: 'a4', ruleKind: 'node_offline' },
      { alertId: 'a5', ruleKind: 'node_offline' },
    ];
  });
  f.changed('a4', 'node_offline', 'resolved'); // newer than the seed's snapshot
  release();
  await seeding;
  assert.deepEqual(Object.fromEntries(f.byRuleKind()), { job_failed: 1, node_offline: 2 });
  f.changed('a1', 'job_failed', 'resolved');
  assert.deepEqual(Object.fromEntries(f.byRuleKind()), { node_offline: 2 });
  f.changed('a6', 'x', 'firing');
  f.changed('a7', 'x', 'firing'); // over the bound of 3
  assert.deepEqual(Object.fromEntries(f.byRuleKind()), { node_offline: 2, x: 1 });
});
