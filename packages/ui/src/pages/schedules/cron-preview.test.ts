import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CronPreview, type PreviewAnswer, type PreviewInput, type PreviewState, type Timers } from './cron-preview.js';

/** Timers fired by hand, so the test decides when the quiet spell ends. */
function manualTimers() {
  const pending = new Map<number, () => void>();
  let next = 0;
  const timers: Timers = {
    set: (fn) => {
      pending.set(++next, fn);
      return next;
    },
    clear: (h) => pending.delete(h as number),
  };
  const fire = () => {
    const fns = [...pending.values()];
    pending.clear();
    for (const fn of fns) fn();
  };
  return { timers, fire, count: () => pending.size };
}

/** Questions answered by hand, in any order. */
function manualAsk() {
  const asked: { input: PreviewInput; resolve(a: PreviewAnswer): void; reject(e: unknown): void }[] = [];
  const ask = (input: PreviewInput) =>
    new Promise<PreviewAnswer>((resolve, reject) => asked.push({ input, resolve, reject }));
  return { ask, asked };
}

const cron = (c: string): PreviewInput => ({ cron: c, intervalSeconds: null, timezone: 'UTC' });
const answer = (at: number): PreviewAnswer => ({ timezone: 'UTC', fires: [{ at, local: String(at) }] });
const flush = () => new Promise((r) => setImmediate(r));

function setup() {
  const t = manualTimers();
  const a = manualAsk();
  const states: PreviewState[] = [];
  const p = new CronPreview({ ask: a.ask, onChange: (s) => states.push(s), delayMs: 300, timers: t.timers });
  return { t, a, states, p, last: () => states.at(-1) };
}

void test('typing asks once, after the quiet spell, for the last expression', async () => {
  const { t, a, p, last } = setup();
  p.input(cron('*'));
  p.input(cron('*/5'));
  p.input(cron('*/5 * * * *'));
  assert.equal(t.count(), 1, 'one timer at a time');
  assert.equal(a.asked.length, 0, 'nothing asked while typing');
  assert.deepEqual(last(), { status: 'waiting' });
  t.fire();
  assert.equal(a.asked.length, 1);
  assert.equal(a.asked[0]!.input.cron, '*/5 * * * *');
  a.asked[0]!.resolve(answer(1));
  await flush();
  assert.deepEqual(last(), { status: 'ok', answer: answer(1) });
});

void test('a late answer to an older expression never overwrites the newer one', async () => {
  const { t, a, p, last, states } = setup();
  p.input(cron('0 * * * *'));
  t.fire();
  p.input(cron('30 * * * *'));
  t.fire();
  assert.equal(a.asked.length, 2);
  a.asked[1]!.resolve(answer(2));
  await flush();
  assert.deepEqual(last(), { status: 'ok', answer: answer(2) });
  const seen = states.length;
  a.asked[0]!.resolve(answer(1));
  await flush();
  assert.equal(states.length, seen, 'the older answer is dropped');
  assert.deepEqual(last(), { status: 'ok', answer: answer(2) });
});

void test('an answer to an expression since changed is not shown, even before the new one is asked', async () => {
  const { t, a, p, last } = setup();
  p.input(cron('0 * * * *'));
  t.fire();
  p.input(cron('bad'));
  a.asked[0]!.resolve(answer(1));
  await flush();
  assert.deepEqual(last(), { status: 'waiting' });
});

void test("the master's refusal is the state's error, and an empty field is idle", async () => {
  const { t, a, p, last } = setup();
  p.input(cron('61 * * * *'));
  t.fire();
  const refusal = new Error('minute 61 is out of range');
  a.asked[0]!.reject(refusal);
  await flush();
  assert.deepEqual(last(), { status: 'error', error: refusal });
  p.input(cron('  '));
  assert.deepEqual(last(), { status: 'idle' });
  assert.equal(t.count(), 0, 'nothing is asked for an empty field');
});

void test('after dispose nothing is asked or told', async () => {
  const { t, a, p, states } = setup();
  p.input(cron('0 * * * *'));
  t.fire();
  p.input(cron('5 * * * *'));
  const seen = states.length;
  p.dispose();
  assert.equal(t.count(), 0);
  a.asked[0]!.resolve(answer(1));
  await flush();
  assert.equal(states.length, seen);
});
