import assert from 'node:assert/strict';
import { test } from 'node:test';
import Fastify from 'fastify';
import { currentRequest, enterRequestContext } from './request-context.js';
import type { Principal } from './principal.js';

const ALICE: Principal = { kind: 'user', userId: 'u1', name: 'alice', grants: [] };

void test('the request context reaches a handler after its body was parsed, across awaits; none outside', async (t) => {
  const app = Fastify();
  t.after(() => app.close());
  app.decorateRequest('principal', undefined);
  // As the surfaces' auth hooks do: the principal is known at onRequest, before the body is read.
  app.addHook('onRequest', async (req) => {
    req.principal = req.headers['x-who'] === 'alice' ? ALICE : undefined;
  });
  app.addHook('preHandler', enterRequestContext);
  app.post('/', async (req) => {
    await new Promise((r) => setImmediate(r));
    await Promise.resolve(req.body);
    return { seen: currentRequest() ?? null };
  });
  const post = async (headers: Record<string, string>) =>
    (
      await app.inject({
        method: 'POST',
        url: '/',
        headers: { 'content-type': 'application/json', ...headers },
        payload: JSON.stringify({ big: 'x'.repeat(200_000) }),
        remoteAddress: '10.1.2.3',
      })
    ).json<{ seen: unknown }>().seen;
  assert.deepEqual(await post({ 'x-who': 'alice' }), {
    actor: { kind: 'user', id: 'u1', name: 'alice' },
    address: '10.1.2.3',
  });
  assert.deepEqual(await post({}), { actor: { kind: 'anonymous', id: null, name: null }, address: '10.1.2.3' });
  assert.equal(currentRequest(), undefined, 'outside a request there is none');
});
