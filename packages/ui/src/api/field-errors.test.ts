import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApiError } from './errors.js';
import { fieldErrorsFrom, fieldProblems } from './field-errors.js';

const first = (path: string) => path.split('.')[0];

void test("each `body.<path>: message` of a refusal is one field's problem", () => {
  const e = new ApiError(
    400,
    'BAD_REQUEST',
    'body.cron: invalid cron; body.policy.maxRunSeconds: Too big: expected number to be <=31622400; body.events.0: Invalid option; a or b',
  );
  assert.deepEqual(fieldProblems(e), [
    { path: 'cron', message: 'invalid cron' },
    { path: 'policy.maxRunSeconds', message: 'Too big: expected number to be <=31622400' },
    { path: 'events.0', message: 'Invalid option; a or b' },
  ]);
  assert.deepEqual(fieldErrorsFrom(e, first), {
    cron: 'invalid cron',
    policy: 'Too big: expected number to be <=31622400',
    events: 'Invalid option; a or b',
  });
});

void test('a secret asked again names its field; a path the form lacks, or another refusal, names none', () => {
  const secret = new ApiError(400, 'SECRET_REQUIRED', 'body.secret: give its secret again (signingSecret)');
  assert.deepEqual(
    fieldErrorsFrom(secret, (p) => (p === 'secret' ? 'signingSecret' : undefined)),
    { signingSecret: 'give its secret again (signingSecret)' },
  );
  assert.deepEqual(
    fieldErrorsFrom(secret, () => undefined),
    {},
  );
  assert.deepEqual(fieldProblems(new ApiError(409, 'CONFLICT', 'body.name: taken')), []);
  assert.deepEqual(fieldProblems(new ApiError(400, 'BAD_REQUEST', 'query.limit: too big')), []);
  assert.deepEqual(fieldProblems(new Error('body.x: y')), []);
});
