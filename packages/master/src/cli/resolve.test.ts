import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Api } from './admin-client.js';
import { CliError } from './errors.js';
import { resolveId } from './resolve.js';
import type { Resource } from './spec.js';

const SCHEDULES: Resource = { noun: 'schedule', list: '/schedules', key: 'schedules', idPattern: /^sch-/ };

/** An API answering the list route with `items`, counting the calls. */
function listing(items: { id: string; name: string | null }[]): Api & { calls: string[] } {
  const calls: string[] = [];
  const api = (method: string, path: string) => {
    calls.push(`${method} ${path}`);
    return Promise.resolve({ schedules: items });
  };
  return Object.assign(api, { calls });
}

const ITEMS = [
  { id: 'sch-aa', name: 'nightly' },
  { id: 'sch-bb', name: null },
  { id: 'other-id', name: 'twin' },
  { id: 'sch-cc', name: 'twin' },
];

void test('an id is used as is, without asking the master', async () => {
  const api = listing(ITEMS);
  assert.equal(await resolveId(api, SCHEDULES, 'sch-zz'), 'sch-zz');
  assert.deepEqual(api.calls, []);
});

void test('a unique name becomes its id (one list call); an id not shaped like one is kept', async () => {
  const api = listing(ITEMS);
  assert.equal(await resolveId(api, SCHEDULES, 'nightly'), 'sch-aa');
  assert.equal(await resolveId(api, SCHEDULES, 'other-id'), 'other-id');
  assert.deepEqual(api.calls, ['GET /schedules', 'GET /schedules']);
});

void test('an unknown name is NOT_FOUND, a shared one CONFLICT with the ids', async () => {
  await assert.rejects(
    resolveId(listing(ITEMS), SCHEDULES, 'weekly'),
    (e) => e instanceof CliError && e.code === 'NOT_FOUND' && e.message === "no schedule named 'weekly'",
  );
  await assert.rejects(
    resolveId(listing(ITEMS), SCHEDULES, 'twin'),
    (e) =>
      e instanceof CliError &&
      e.code === 'CONFLICT' &&
      /2 schedules are named 'twin' \(other-id, sch-cc\)/.test(e.message),
  );
});
