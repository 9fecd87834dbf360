import assert from 'node:assert/strict';
import { test } from 'node:test';
import { z } from 'zod';
import type { Catalog } from './catalog.js';
import { handleMessage, type HandlerMap } from './handlers.js';

const TestCatalog = {
  ping: { message: z.object({ n: z.number().int() }) },
  ask: { message: z.object({ q: z.string() }), reply: z.object({ a: z.string().min(1) }) },
} as const satisfies Catalog;

void test('handleMessage: payloads are validated before the handler, replies before they are returned', async () => {
  const seen: unknown[] = [];
  const handlers: HandlerMap<typeof TestCatalog, string> = {
    ping: (p, ctx) => void seen.push([p.n, ctx]),
    ask: (p) => ({ a: p.q.toUpperCase() }),
  };
  assert.equal(await handleMessage(TestCatalog, handlers, 'ping', { n: 1 }, 'ctx'), undefined);
  assert.deepEqual(seen, [[1, 'ctx']]);
  assert.deepEqual(await handleMessage(TestCatalog, handlers, 'ask', { q: 'hi' }, 'ctx'), { a: 'HI' });
  // A malformed payload never reaches the handler.
  await assert.rejects(handleMessage(TestCatalog, handlers, 'ping', { n: 'x' }, 'ctx'));
  assert.equal(seen.length, 1);
  // A reply that breaks its schema is not returned to be sent.
  await assert.rejects(handleMessage(TestCatalog, handlers, 'ask', { q: '' }, 'ctx'));
});

void test('handleMessage: a synchronous handler runs before handleMessage returns (message order is kept)', () => {
  const order: number[] = [];
  const handlers: HandlerMap<typeof TestCatalog, null, 'ping'> = { ping: (p) => void order.push(p.n) };
  void handleMessage(TestCatalog, handlers, 'ping', { n: 1 }, null);
  void handleMessage(TestCatalog, handlers, 'ping', { n: 2 }, null);
  assert.deepEqual(order, [1, 2]);
});
