/**
 * The durable consumer on both stores: its mark survives a restart (a new consumer catches up what it missed), the
 * mark never passes an event still being handled (a crash replays it, and what finished after it, to an idempotent
 * handler), events committed before the subscription are caught up first, and a failing handler is retried or kept
 * for the next start. The "database" of events is a list standing for committed state; the marks are the real table.
 */
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import pino from 'pino';
import { createConsumerMarks } from '../db/repos/consumer-marks.js';
import { openTestDatabase, testEachStore, type Store } from '../db/stores.test-support.js';
import { DomainEvents, type Published } from './domain-events.js';
import { DurableConsumer } from './durable-consumer.js';

type Ev = Published<'node.revoked'>;
const logger = pino({ level: 'silent' });
const T0 = 1_000_000;

async function setup(t: TestContext, store: Store) {
  const marks = createConsumerMarks(await openTestDatabase(t, store));
  const clock = { now: T0 };
  const committed: Ev[] = [];
  /** The live stream of the process running now (a restart makes a new one). */
  let events = new DomainEvents({ logger, now: () => clock.now });
  /** A fact committed at `at`, then announced (unless the process is down). */
  const commit = (id: string, at: number, publish = true) => {
    committed.push({ type: 'node.revoked', nodeId: id, seq: 0, at });
    clock.now = at;
    if (publish) events.publish({ type: 'node.revoked', nodeId: id });
  };
  const consumer = (
    handle: (e: Ev[], how: { caughtUp: boolean }) => Promise<void>,
    o: { history?: (from: number) => Promise<Ev[]>; retryDelaysMs?: number[] } = {},
  ) =>
    new DurableConsumer({
      name: 'test',
      types: ['node.revoked'],
      events,
      marks,
      history: o.history ?? ((from, limit) => Promise.resolve(committed.filter((e) => e.at >= from).slice(0, limit))),
      position: (e) => e.at,
      key: (e) => e.nodeId,
      handle,
      now: () => clock.now,
      logger,
      retryDelaysMs: o.retryDelaysMs ?? [],
      saveEveryMs: 3_600_000,
    });
  const restart = () => {
    events = new DomainEvents({ logger, now: () => clock.now });
  };
  return { marks, clock, commit, consumer, restart };
}

/** A handler that records what it handled, in order. */
const recorder = () => {
  const seen: string[] = [];
  return { seen, handle: (evs: Ev[]) => Promise.resolve(void seen.push(...evs.map((e) => e.nodeId))) };
};

testEachStore('a new consumer over the same database catches up what it missed', {}, async (t, store) => {
  const s = await setup(t, store);
  const first = recorder();
  const a = s.consumer(first.handle);
  await a.start();
  s.commit('e1', T0 + 10);
  s.commit('e2', T0 + 20);
  await a.idle();
  await a.stop();
  assert.deepEqual(first.seen, ['e1', 'e2']);
  assert.equal(await s.marks.get('test'), T0 + 20);

  // Down: two facts are committed, nobody announces them.
  s.restart();
  s.commit('e3', T0 + 30, false);
  s.commit('e4', T0 + 40, false);
  const second = recorder();
  const b = s.consumer(second.handle);
  await b.start();
  await b.caughtUp();
  // The event at the mark is read again (positions can tie), nothing before it.
  assert.deepEqual(second.seen, ['e2', 'e3', 'e4']);
  await b.stop();
  assert.equal(await s.marks.get('test'), T0 + 40);
});

testEachStore('the mark never passes an event still being handled; a crash replays it', {}, async (t, store) => {
  const s = await setup(t, store);
  /** What the handler's effect holds: an idempotent handler (an outbox keyed by event) writes each once. */
  const outbox = new Map<string, number>();
  let releaseFirst = () => {};
  const a = s.consumer(async (evs) => {
    const e = evs[0]!;
    if (e.nodeId === 'e1') {
      await new Promise<void>((r) => (releaseFirst = r)); // still running at the crash
    } else {
      outbox.set(e.nodeId, (outbox.get(e.nodeId) ?? 0) + 1);
    }
  });
  await a.start();
  s.commit('e1', T0 + 10);
  s.commit('e2', T0 + 20);
  await new Promise((r) => setImmediate(r)); // e2's handler ran to its end; e1's waits
  assert.deepEqual([...outbox.keys()], ['e2']);
  await a.save();
  assert.equal(await s.marks.get('test'), T0 + 10, 'e2 is done but e1 is not: the mark stays at e1');

  // Crash (no stop): a new process replays e1 and e2; the handler's keys keep e2 single.
  s.restart();
  const replayed: string[] = [];
  const b = s.consumer((evs) => {
    for (const e of evs) {
      replayed.push(e.nodeId);
      if (!outbox.has(e.nodeId)) outbox.set(e.nodeId, 1);
    }
    return Promise.resolve();
  });
  await b.start();
  await b.caughtUp();
  assert.deepEqual(replayed, ['e1', 'e2']);
  assert.deepEqual(Object.fromEntries(outbox), { e1: 1, e2: 1 });
  await b.stop();
  assert.equal(await s.marks.get('test'), T0 + 20);
  releaseFirst();
});

testEachStore('events from before the subscription are caught up first, each once', {}, async (t, store) => {
  const s = await setup(t, store);
  const a = s.consumer(() => Promise.resolve());
  await a.start(); // a first start: the mark is now
  await a.stop();
  s.restart();
  s.commit('e1', T0 + 10, false);
  s.commit('e2', T0 + 20, false);

  // The catch-up reads slowly: a fact committed and announced meanwhile arrives live and waits for it.
  let readNow = () => {};
  const reading = new Promise<void>((r) => (readNow = r));
  const got = recorder();
  const committed: Ev[] = [];
  const b = s.consumer(got.handle, {
    history: async (from) => {
      await reading;
      return committed.filter((e) => e.at >= from);
    },
  });
  await b.start();
  s.commit('e3', T0 + 30);
  committed.push(
    ...['e1', 'e2', 'e3'].map((id, i) => ({
      type: 'node.revoked' as const,
      nodeId: id,
      seq: 0,
      at: T0 + 10 * (i + 1),
    })),
  );
  s.commit('e4', T0 + 40);
  assert.deepEqual(got.seen, [], 'nothing is handled before the catch-up');
  readNow();
  await b.caughtUp();
  await b.idle();
  assert.deepEqual(got.seen, ['e1', 'e2', 'e3', 'e4'], 'in order, e3 (read and announced) once');
  await b.stop();
});

testEachStore('a failing handler is retried; one that keeps failing waits for the next start', {}, async (t, store) => {
  const s = await setup(t, store);
  let failures = 1;
  const got = recorder();
  const flaky = (evs: Ev[]) => (failures-- > 0 ? Promise.reject(new Error('database away')) : got.handle(evs));
  const a = s.consumer(flaky, { retryDelaysMs: [1] });
  await a.start();
  s.commit('e1', T0 + 10);
  await a.idle();
  assert.deepEqual(got.seen, ['e1'], 'handled on the retry');
  assert.equal(a.mark(), T0 + 10);

  failures = Infinity;
  s.commit('e2', T0 + 20);
  s.commit('e3', T0 + 30);
  await a.idle();
  await a.stop();
  assert.deepEqual(got.seen, ['e1']);
  assert.equal(await s.marks.get('test'), T0 + 20, 'the mark stays before what failed');

  s.restart();
  const again = recorder();
  const b = s.consumer(again.handle);
  await b.start();
  await b.caughtUp();
  assert.deepEqual(again.seen, ['e2', 'e3'], 'the next start handles what failed');
  await b.stop();
});
