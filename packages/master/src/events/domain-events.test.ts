import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pino } from 'pino';
import { DomainEvents, type Published } from './domain-events.js';

const job = { jobId: 'j', runId: 'r'.repeat(32), project: 'p', spider: 's' };

void test('subscribers get every event in order, numbered and timed; on() filters by type', () => {
  let now = 1_000;
  const events = new DomainEvents({ logger: pino({ level: 'silent' }), now: () => now++ });
  const all: Published[] = [];
  const finished: Published<'job.finished'>[] = [];
  events.subscribe((e) => all.push(e));
  const off = events.on('job.finished', (e) => finished.push(e));
  events.publish({ type: 'job.queued', job, priority: 0, tags: [], attempt: 1 });
  events.publish({
    type: 'job.finished',
    job,
    nodeId: 'n1',
    attempt: 1,
    outcome: 'succeeded',
    exitCode: 0,
    reason: null,
    startedAt: 5,
    endedAt: 9,
  });
  off();
  events.publish({ type: 'node.offline', nodeId: 'n1', kind: 'permanent', lastSeen: 1 });
  assert.deepEqual(
    all.map((e) => [e.seq, e.at, e.type]),
    [
      [1, 1_000, 'job.queued'],
      [2, 1_001, 'job.finished'],
      [3, 1_002, 'node.offline'],
    ],
  );
  assert.deepEqual(
    finished.map((e) => [e.seq, e.outcome, e.job.jobId]),
    [[2, 'succeeded', 'j']],
  );
});

void test('a throwing subscriber neither stops the others nor reaches the producer', () => {
  const events = new DomainEvents({ logger: pino({ level: 'silent' }) });
  const seen: string[] = [];
  events.subscribe(() => {
    throw new Error('boom');
  });
  events.subscribe((e) => seen.push(e.type));
  assert.doesNotThrow(() => events.publish({ type: 'node.revoked', nodeId: 'n' }));
  assert.deepEqual(seen, ['node.revoked']);
});
