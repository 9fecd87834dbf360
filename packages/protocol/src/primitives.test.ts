import assert from 'node:assert/strict';
import { test } from 'node:test';
import { JobFinishedEvent } from './ws/jobs.js';
import { FreeText } from './primitives.js';

void test('free text keeps its bound and loses only NUL characters (stored on PostgreSQL, never refused)', () => {
  assert.equal(FreeText(8).parse('a\u0000b\u0000'), 'a\ufffdb\ufffd');
  assert.equal(FreeText(8).parse('plain'), 'plain');
  assert.equal(FreeText(3).safeParse('four').success, false);
  const finished = JobFinishedEvent.parse({
    kind: 'finished',
    runId: 'a'.repeat(32),
    startedAt: 1,
    endedAt: 2,
    exitCode: 1,
    signal: null,
    outcome: 'failed',
    reason: 'pip said \u0000',
    logBytes: 0,
    itemsBytes: 0,
  });
  assert.equal(finished.reason, 'pip said \ufffd');
});
