import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeEnding } from './outcome.js';

void test('outcomes of a crawl ending', () => {
  assert.deepEqual(describeEnding({ exitCode: 0, signal: null, cancelled: false }), {
    outcome: 'succeeded',
    reason: null,
  });
  assert.deepEqual(describeEnding({ exitCode: 1, signal: null, cancelled: false }), {
    outcome: 'failed',
    reason: 'exited with code 1',
  });
  assert.deepEqual(describeEnding({ exitCode: null, signal: 'SIGKILL', cancelled: false }), {
    outcome: 'failed',
    reason: 'killed by SIGKILL',
  });
  assert.equal(describeEnding({ exitCode: null, signal: 'SIGKILL', cancelled: true }).outcome, 'cancelled');
  assert.equal(describeEnding({ exitCode: 0, signal: null, cancelled: true }).outcome, 'cancelled');
  assert.match(describeEnding({ exitCode: null, signal: null, cancelled: false }).reason!, /unknown/);
});
