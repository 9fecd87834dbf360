import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { test } from 'node:test';
import { onStopSignals } from './stop-signals.js';

function harness() {
  const source = new EventEmitter();
  let clock = 0;
  const seen: string[] = [];
  onStopSignals({
    source,
    now: () => clock,
    windowMs: 2_000,
    stop: (s) => seen.push(`stop ${s}`),
    force: (s) => seen.push(`force ${s}`),
    coalesced: (s) => seen.push(`same ${s}`),
  });
  return {
    seen,
    at(ms: number, signal: NodeJS.Signals) {
      clock = ms;
      source.emit(signal);
    },
  };
}

void test('SIGINT then a forwarded SIGTERM within the window are one stop (Ctrl-C under pnpm exec)', () => {
  const h = harness();
  h.at(1_000, 'SIGINT');
  h.at(1_050, 'SIGTERM');
  h.at(2_999, 'SIGINT');
  assert.deepEqual(h.seen, ['stop SIGINT', 'same SIGTERM', 'same SIGINT']);
});

void test('a signal after the window forces the exit', () => {
  const h = harness();
  h.at(0, 'SIGTERM');
  h.at(100, 'SIGINT');
  h.at(2_000, 'SIGINT');
  h.at(2_500, 'SIGTERM');
  assert.deepEqual(h.seen, ['stop SIGTERM', 'same SIGINT', 'force SIGINT', 'force SIGTERM']);
});
