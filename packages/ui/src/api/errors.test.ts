import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApiError, describeError, errorFromAnswer } from './errors.js';

void test("an answer's catalogue error keeps its code and message", () => {
  const e = errorFromAnswer(403, { error: { code: 'FORBIDDEN', message: 'a viewer may not schedule jobs' } });
  assert.equal(e.status, 403);
  assert.equal(e.code, 'FORBIDDEN');
  assert.deepEqual(describeError(e), { code: 'FORBIDDEN', message: 'a viewer may not schedule jobs' });
});

void test('a rate limit says when to retry, from the header or the details', () => {
  const body = {
    error: { code: 'TOO_MANY_LOGINS', message: 'too many failed logins', details: { retryAfterSeconds: 9 } },
  };
  assert.equal(errorFromAnswer(429, body, '30').retryAfterSeconds, 30);
  assert.equal(errorFromAnswer(429, body).retryAfterSeconds, 9);
  assert.match(describeError(errorFromAnswer(429, body)).message, /retry in 9 s/);
});

void test('an answer without an error body still becomes an error with its status', () => {
  const e = errorFromAnswer(502, '<html>Bad Gateway</html>');
  assert.equal(e.code, 'BAD_ANSWER');
  assert.match(e.message, /502/);
  assert.deepEqual(describeError(new Error('boom')), { code: 'UI_ERROR', message: 'boom' });
  assert.ok(e instanceof ApiError);
});
