import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { api, onUnauthorized, setCsrfToken } from './client.js';
import { ApiError } from './errors.js';

// The browser's fetch, answered by a function: what the client sends and how it reads the answer.
const realFetch = globalThis.fetch;
let sent: { url: string; init: RequestInit }[] = [];
function answer(status: number, body: unknown, headers: Record<string, string> = {}) {
  sent = [];
  globalThis.fetch = (async (url: string, init: RequestInit) => {
    sent.push({ url, init });
    return new Response(body === undefined ? null : JSON.stringify(body), { status, headers });
  }) as typeof fetch;
}
afterEach(() => {
  globalThis.fetch = realFetch;
  setCsrfToken(undefined);
});
const header = (i: number, name: string) => (sent[i]!.init.headers as Record<string, string>)[name];

void test('state-changing requests carry the CSRF token, reads do not', async () => {
  setCsrfToken('csrf-1');
  answer(200, { ok: true });
  assert.deepEqual(await api.get('tokens'), { ok: true });
  assert.equal(sent[0]!.url, '/api/v1/tokens');
  assert.equal(header(0, 'x-csrf-token'), undefined);
  answer(201, { id: 'x' });
  await api.post('tokens', { name: 'ci' });
  assert.equal(header(0, 'x-csrf-token'), 'csrf-1');
  assert.equal(header(0, 'content-type'), 'application/json');
  assert.equal(sent[0]!.init.body, '{"name":"ci"}');
  answer(204, undefined);
  assert.equal(await api.delete('sessions/s1'), undefined);
  assert.equal(header(0, 'x-csrf-token'), 'csrf-1');
});

void test('an error answer is thrown with its code; a lost session tells the app, a login does not', async () => {
  let told = 0;
  const off = onUnauthorized(() => told++);
  try {
    answer(403, { error: { code: 'FORBIDDEN', message: 'a viewer may not schedule jobs' } });
    await assert.rejects(api.post('jobs', {}), (e) => e instanceof ApiError && e.code === 'FORBIDDEN');
    assert.equal(told, 0);
    answer(401, { error: { code: 'UNAUTHORIZED', message: 'no session' } });
    await assert.rejects(api.get('jobs'), (e) => e instanceof ApiError && e.status === 401);
    assert.equal(told, 1, 'a 401 on a page: signed out');
    await assert.rejects(api.post('session', {}, { expectUnauthorized: true }), ApiError);
    assert.equal(told, 1, 'a wrong password is the login page’s to show');
  } finally {
    off();
  }
});

void test('no answer at all, or one that is not JSON, is still an error with a code', async () => {
  globalThis.fetch = (async () => {
    throw new TypeError('Failed to fetch');
  }) as typeof fetch;
  await assert.rejects(api.get('jobs'), (e) => e instanceof ApiError && e.code === 'NETWORK_ERROR');
  sent = [];
  globalThis.fetch = (async () => new Response('<html>', { status: 200 })) as typeof fetch;
  await assert.rejects(api.get('jobs'), (e) => e instanceof ApiError && e.code === 'BAD_ANSWER');
});
