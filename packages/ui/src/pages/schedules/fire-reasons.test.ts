import assert from 'node:assert/strict';
import { test } from 'node:test';
import { reasonText, statusText, triggerText } from './fire-reasons.js';

void test('each skip reason reads as a sentence, with the master detail after it', () => {
  assert.equal(reasonText({ reasonCode: 'paused', reason: null }), 'the schedule was paused');
  assert.equal(
    reasonText({ reasonCode: 'overlap', reason: 'job abc is running' }),
    'the previous job was still pending or running (overlap policy): job abc is running',
  );
  assert.equal(reasonText({ reasonCode: null, reason: 'odd' }), 'odd', 'a reason without a code is shown as given');
  assert.equal(reasonText({ reasonCode: null, reason: null }), '');
});

void test('statuses and triggers in words', () => {
  assert.equal(statusText('skipped'), 'skipped');
  assert.equal(statusText('queued'), 'queued a job');
  assert.equal(triggerText('manual'), 'run now');
});
