import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { test } from 'node:test';
import { onStopSignals, stopOnSignals } from './stop-signals.js';

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

void test('stopOnSignals: the first signal stops the daemon and resolves 0; a late one exits 130', async () => {
  const source = new EventEmitter();
  let clock = 0;
  const logged: string[] = [];
  const log = (level: string) => (_: object, msg: string) => logged.push(`${level} ${msg}`);
  const logger = { info: log('info'), debug: log('debug'), warn: log('warn'), error: log('error') };
  const exits: number[] = [];
  let stops = 0;
  let finishStop: () => void = () => undefined;
  const daemon = { stop: () => new Promise<void>((r) => ((finishStop = r), stops++)) };
  const code = stopOnSignals(daemon, logger, { source, now: () => clock, exit: (c) => exits.push(c), stopping: 'bye' });
  source.emit('SIGINT');
  clock = 100;
  source.emit('SIGTERM');
  clock = 5_000;
  source.emit('SIGINT');
  assert.equal(stops, 1);
  assert.deepEqual(exits, [130]);
  finishStop();
  assert.equal(await code, 0);
  assert.deepEqual(logged, [
    'info bye',
    'debug signal within the window of the first: same stop',
    'warn second signal: exiting now',
  ]);
});

void test('stopOnSignals: a failed stop resolves 1', async () => {
  const source = new EventEmitter();
  const errors: string[] = [];
  const quiet = () => undefined;
  const logger = { info: quiet, debug: quiet, warn: quiet, error: (_: object, msg: string) => errors.push(msg) };
  const code = stopOnSignals({ stop: () => Promise.reject(new Error('boom')) }, logger, { source });
  source.emit('SIGTERM');
  assert.equal(await code, 1);
  assert.deepEqual(errors, ['error while stopping']);
});
