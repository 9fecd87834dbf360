import assert from 'node:assert/strict';
import { test } from 'node:test';
import { prettyLogsWanted } from './log-format.js';

void test('logs are pretty for a terminal, JSON for anything else, unless log_format forces one', () => {
  assert.equal(prettyLogsWanted('auto', true), true);
  assert.equal(prettyLogsWanted('auto', false), false);
  assert.equal(prettyLogsWanted('auto', undefined), false, 'a pipe or a file has no isTTY');
  assert.equal(prettyLogsWanted('json', true), false);
  assert.equal(prettyLogsWanted('pretty', false), true);
});
