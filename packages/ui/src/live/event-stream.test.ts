/** The EventSource wrapper driven by a scripted EventSource and hand-run timers. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LiveEvent } from '@scrapyard/protocol';
import { LiveEventStream, type EventSourceLike, type MessageLike } from './event-stream.js';

class FakeSource implements EventSourceLike {
  static all: FakeSource[] = [];
  onerror: ((ev: unknown) => void) | null = null;
  closed = false;
  readonly #listeners = new Map<string, ((ev: MessageLike) => void)[]>();
  constructor(readonly url: string) {
    FakeSource.all.push(this);
  }
  addEventListener(type: string, listener: (ev: MessageLike) => void): void {
    this.#listeners.set(type, [...(this.#listeners.get(type) ?? []), listener]);
  }
  close(): void {
    this.closed = true;
  }
  emit(type: string, id: string, data: unknown): void {
    for (const l of this.#listeners.get(type) ?? []) l({ lastEventId: id, data: JSON.stringify(data) });
  }
}

function setup() {
  FakeSource.all = [];
  const timers: (() => void)[] = [];
  const seen: string[] = [];
  const stream = new LiveEventStream({
    EventSource: FakeSource,
    families: ['job'],
    random: () => 0.5,
    setTimeout: (fn) => timers.push(fn),
    clearTimeout: () => timers.splice(0),
  });
  stream.subscribe({
    event: (type, data: LiveEvent) => seen.push(`${type} ${'jobId' in data ? data.jobId : ''}`),
    reset: () => seen.push('reset'),
    ended: (reason) => seen.push(`ended ${reason}`),
    phase: (p) => seen.push(`phase ${p}`),
  });
  const source = () => FakeSource.all.at(-1)!;
  return { stream, timers, seen, source };
}

const queued = (jobId: string) => ({ type: 'job.queued', jobId, project: 'p' });

void test('events reach listeners; a drop reconnects with the last id in the URL, after a backoff', () => {
  const { stream, timers, seen, source } = setup();
  stream.start();
  assert.equal(source().url, '/api/v1/events?types=job');
  source().emit('ready', 'e1-3', { resumed: false });
  source().emit('job.queued', 'e1-4', queued('a'));
  const first = source();
  first.onerror?.({});
  assert.ok(first.closed, 'the failed source is closed, not left to retry on its own');
  assert.equal(timers.length, 1);
  first.emit('job.queued', 'e1-5', queued('late'));
  timers.shift()!();
  assert.equal(source().url, '/api/v1/events?types=job&lastEventId=e1-4');
  source().emit('ready', 'e1-4', { resumed: true });
  source().emit('job.queued', 'e1-4', queued('a'));
  source().emit('job.queued', 'e1-5', queued('b'));
  assert.deepEqual(seen, [
    'phase connecting',
    'phase live',
    'job.queued a',
    'phase waiting',
    'phase connecting',
    'phase live',
    'job.queued b',
  ]);
  assert.equal(stream.lastId, 'e1-5');
});

void test('reset reloads; end stops for good', () => {
  const { stream, timers, seen, source } = setup();
  stream.start();
  source().emit('reset', 'e9-1', { reason: 'restarted' });
  source().emit('end', 'e9-1', { reason: 'access-gone' });
  source().onerror?.({});
  assert.deepEqual(seen, ['phase connecting', 'phase live', 'reset', 'phase ended', 'ended access-gone']);
  assert.equal(timers.length, 0);
  assert.equal(FakeSource.all.length, 1);
  assert.equal(stream.phase, 'ended');
});

void test('stop closes the source and cancels the retry', () => {
  const { stream, timers, source } = setup();
  stream.start();
  source().onerror?.({});
  assert.equal(timers.length, 1);
  stream.stop();
  assert.equal(timers.length, 0);
  assert.equal(stream.phase, 'idle');
});
