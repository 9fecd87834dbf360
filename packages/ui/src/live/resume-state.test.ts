import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  INITIAL,
  isAfter,
  retryDelay,
  step,
  streamUrl,
  type Effect,
  type Input,
  type ResumeState,
} from './resume-state.js';

const half = { random: () => 1 - 1e-9 };
/** Feeds inputs in order; returns the last state and every effect. */
function run(inputs: Input[], from: ResumeState = INITIAL): [ResumeState, Effect[]] {
  let s = from;
  const all: Effect[] = [];
  for (const i of inputs) {
    const [next, effects] = step(s, i, { baseMs: 1000, maxMs: 8000, ...half });
    s = next;
    all.push(...effects);
  }
  return [s, all];
}
const msg = (event: string, id: string, data = '{}'): Input => ({ kind: 'message', event, id, data });

void test('first connect has no id; ready gives the position; events move it; a drop resumes from it', () => {
  const [s, effects] = run([
    { kind: 'start' },
    msg('ready', 'e1-5'),
    msg('job.queued', 'e1-6', '{"jobId":"a"}'),
    { kind: 'error' },
    { kind: 'retry' },
  ]);
  assert.deepEqual(effects, [
    { kind: 'connect', lastId: null },
    { kind: 'event', type: 'job.queued', data: '{"jobId":"a"}' },
    { kind: 'close' },
    { kind: 'wait', ms: 1000 },
    { kind: 'connect', lastId: 'e1-6' },
  ]);
  assert.deepEqual(s, { phase: 'connecting', lastId: 'e1-6', failures: 1 });
});

void test('a drop before any event still resumes from the ready id (no gap)', () => {
  const [s, effects] = run([{ kind: 'start' }, msg('ready', 'e1-9'), { kind: 'error' }, { kind: 'retry' }]);
  assert.deepEqual(effects.at(-1), { kind: 'connect', lastId: 'e1-9' });
  assert.equal(s.lastId, 'e1-9');
});

void test('replayed duplicates are dropped; a new epoch is taken', () => {
  const [s, effects] = run([
    { kind: 'start' },
    msg('ready', 'e1-5'),
    msg('job.queued', 'e1-6'),
    msg('job.queued', 'e1-6'),
    msg('job.queued', 'e1-4'),
    msg('job.started', 'e1-7'),
    msg('job.started', 'e2-1'),
  ]);
  assert.deepEqual(
    effects.map((e) => (e.kind === 'event' ? e.type : e.kind)),
    ['connect', 'job.queued', 'job.started', 'job.started'],
  );
  assert.equal(s.lastId, 'e2-1');
});

void test('a host sample comes without its own id (EventSource repeats the last): taken, the resume point stays', () => {
  const [s, effects] = run([
    { kind: 'start' },
    msg('ready', 'e1-5'),
    msg('node.host', 'e1-5', '{"nodeId":"n1"}'),
    msg('node.host', 'e1-5', '{"nodeId":"n1"}'),
    msg('job.queued', 'e1-6'),
  ]);
  assert.deepEqual(
    effects.map((e) => (e.kind === 'event' ? e.type : e.kind)),
    ['connect', 'node.host', 'node.host', 'job.queued'],
  );
  assert.equal(s.lastId, 'e1-6');
});

void test('reset: listeners reload, the stream goes on from the reset id', () => {
  const [s, effects] = run(
    [{ kind: 'start' }, msg('reset', 'e2-40', '{"reason":"restarted"}'), msg('job.queued', 'e2-41')],
    {
      ...INITIAL,
      lastId: 'e1-3',
    },
  );
  assert.deepEqual(effects, [
    { kind: 'connect', lastId: 'e1-3' },
    { kind: 'reset' },
    { kind: 'event', type: 'job.queued', data: '{}' },
  ]);
  assert.deepEqual(s, { phase: 'live', lastId: 'e2-41', failures: 0 });
});

void test('failures back off, doubling up to the cap; connected again the backoff starts over', () => {
  const [, effects] = run([
    { kind: 'start' },
    ...Array.from({ length: 5 }, (): Input[] => [{ kind: 'error' }, { kind: 'retry' }]).flat(),
    msg('ready', 'e1-1'),
    { kind: 'error' },
  ]);
  const waits = effects.filter((e) => e.kind === 'wait').map((e) => (e as { ms: number }).ms);
  assert.deepEqual(waits, [1000, 2000, 4000, 8000, 8000, 1000]);
  assert.equal(retryDelay(1, { baseMs: 1000, random: () => 0 }), 500, 'jitter: at least half the delay');
});

void test('end: no retry, listeners told why; errors after it change nothing', () => {
  const [s, effects] = run([
    { kind: 'start' },
    msg('ready', 'e1-1'),
    msg('end', 'e1-2', '{"reason":"access-gone"}'),
    { kind: 'error' },
    { kind: 'retry' },
  ]);
  assert.deepEqual(effects.slice(1), [{ kind: 'close' }, { kind: 'ended', reason: 'access-gone' }]);
  assert.equal(s.phase, 'ended');
});

void test('stop closes and cancels a pending retry; start again resumes from the last id', () => {
  const [s, effects] = run([
    { kind: 'start' },
    msg('ready', 'e1-1'),
    { kind: 'error' },
    { kind: 'stop' },
    { kind: 'retry' },
    { kind: 'start' },
  ]);
  assert.deepEqual(effects.slice(-2), [{ kind: 'close' }, { kind: 'connect', lastId: 'e1-1' }]);
  assert.equal(s.phase, 'connecting');
});

void test('ids and urls', () => {
  assert.equal(isAfter('e1-10', 'e1-9'), true, 'numeric, not text, order');
  assert.equal(isAfter('e1-9', 'e1-10'), false);
  assert.equal(isAfter('e1-1', null), true);
  assert.equal(streamUrl('/api/v1/events', undefined, null), '/api/v1/events');
  assert.equal(
    streamUrl('/api/v1/events', ['job', 'stats'], 'e1-4'),
    '/api/v1/events?types=job,stats&lastEventId=e1-4',
  );
});
