/**
 * Answers of the REST API are checked against their schema: a right one goes out as the handler made it, a wrong
 * one is a 500 whose log line names the route, and error answers are not held to the success schema.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import Fastify from 'fastify';
import { z } from 'zod';
import { ApiError } from '../../services/api-error.js';
import { withCheckedAnswers } from './checked-answers.js';
import { apiErrorHandler } from './errors.js';

const Thing = z.object({ id: z.string(), count: z.number().int() });

async function app(answer: () => unknown) {
  const logs: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      logs.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  const a = Fastify({ logger: { level: 'info', stream } });
  a.setErrorHandler(apiErrorHandler);
  await a.register(
    async (scope) => {
      const api = withCheckedAnswers(scope);
      api.get('/things/:id', { schema: { response: { 200: Thing } } }, async () => answer() as z.output<typeof Thing>);
    },
    { prefix: '/api/v1' },
  );
  return { a, logs };
}

void test('an answer that matches goes out as the handler made it', async () => {
  const { a } = await app(() => ({ count: 2, id: 'x', extra: true }));
  const r = await a.inject('/api/v1/things/x');
  assert.equal(r.statusCode, 200);
  assert.equal(r.body, '{"count":2,"id":"x","extra":true}');
});

void test('an answer that does not match is a 500 logged with its route, never sent', async () => {
  const { a, logs } = await app(() => ({ id: 'x', count: 'two' }));
  const r = await a.inject('/api/v1/things/x');
  assert.equal(r.statusCode, 500);
  assert.deepEqual(r.json(), {
    error: {
      code: 'INTERNAL',
      message: "the answer of GET /api/v1/things/:id does not match its schema (a bug: see the master's log)",
    },
  });
  const logged = logs.find((l) => l.level === 50);
  assert.equal(logged?.route, 'GET /api/v1/things/:id');
  assert.match(String(logged?.msg), /answer of GET \/api\/v1\/things\/:id does not match its schema/);
  assert.deepEqual(logged?.problems, ['response.count: Invalid input: expected number, received string']);
});

void test('an error answer is not held to the success schema', async () => {
  const { a } = await app(() => {
    throw new ApiError('NOT_FOUND', 'no thing x');
  });
  const r = await a.inject('/api/v1/things/x');
  assert.equal(r.statusCode, 404);
  assert.deepEqual(r.json(), { error: { code: 'NOT_FOUND', message: 'no thing x' } });
});
