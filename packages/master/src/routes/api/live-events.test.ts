/**
 * The route of the live stream on a real server (without the access hooks: the principal is set by a hook of the
 * test): the query and the Last-Event-ID header, the cap answered 429 TOO_MANY_STREAMS, and a server that closes
 * with streams open.
 */
import assert from 'node:assert/strict';
import { request, type IncomingMessage } from 'node:http';
import { test, type TestContext } from 'node:test';
import Fastify from 'fastify';
import { pino } from 'pino';
import type { Authenticator } from '../../auth/authenticator.js';
import type { Principal } from '../../auth/principal.js';
import { DomainEvents } from '../../events/domain-events.js';
import { LiveHub } from '../../live/live-hub.js';
import { liveEventsRoutes } from './live-events.js';

const ADMIN: Principal = { kind: 'admin', via: 'admin-token' };

async function setup(t: TestContext) {
  const logger = pino({ level: 'silent' });
  const events = new DomainEvents({ logger });
  const hub = new LiveHub({ events, logger, maxStreams: 2 });
  const app = Fastify();
  app.addHook('onRequest', async (req) => {
    req.principal = ADMIN;
  });
  const auth = { identify: async () => ADMIN } as unknown as Authenticator;
  await app.register(liveEventsRoutes, { hub, auth });
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  t.after(async () => {
    await app.close();
    hub.stop();
  });
  const get = (path: string, headers: Record<string, string> = {}) =>
    new Promise<IncomingMessage>((resolve, reject) =>
      request(`${base}${path}`, { headers }, resolve).on('error', reject).end(),
    );
  /** The first `n` bytes-blocks of a stream's body (or all of it, once it ends). */
  const first = (res: IncomingMessage) =>
    new Promise<string>((resolve) => {
      let text = '';
      res.on('data', (b: Buffer) => {
        text += b.toString();
        if (text.includes('\n\n')) resolve(text);
      });
      res.on('end', () => resolve(text));
    });
  const body = async (res: IncomingMessage) => {
    let text = '';
    for await (const b of res) text += (b as Buffer).toString();
    return text;
  };
  return { app, hub, events, get, first, body };
}

void test('ready, or reset for an id of another stream (header or query); a bad family is 400', async (t) => {
  const { get, first, body, hub } = await setup(t);
  const fresh = await get('/api/v1/events?types=job,node');
  assert.equal(fresh.statusCode, 200);
  assert.equal(fresh.headers['content-type'], 'text/event-stream');
  assert.match(await first(fresh), /^id: [0-9a-z]+-0\nevent: ready\ndata: \{"resumed":false\}\n\n/);
  const stale = await get('/api/v1/events', { 'last-event-id': 'other-3' });
  assert.match(await first(stale), /event: reset\ndata: \{"reason":"restarted"\}/);
  fresh.destroy();
  stale.destroy();
  await waitUntil(() => hub.open === 0);
  const byQuery = await get('/api/v1/events?lastEventId=x-1');
  assert.match(await first(byQuery), /event: reset\ndata: \{"reason":"restarted"\}/);
  byQuery.destroy();
  const bad = await get('/api/v1/events?types=job,bogus');
  assert.equal(bad.statusCode, 400);
  assert.match(await body(bad), /"code":"BAD_REQUEST".*query\.types/);
});

void test('past max streams: 429 TOO_MANY_STREAMS with Retry-After; closing the server ends the streams', async (t) => {
  const { app, get, first, body } = await setup(t);
  const open = [await get('/api/v1/events'), await get('/api/v1/events')];
  for (const res of open) await first(res);
  const refused = await get('/api/v1/events');
  assert.equal(refused.statusCode, 429);
  assert.equal(refused.headers['retry-after'], '5');
  assert.match(await body(refused), /"code":"TOO_MANY_STREAMS"/);
  const ends = open.map((res) => new Promise<void>((resolve) => res.on('end', resolve)));
  for (const res of open) res.resume();
  await app.close();
  await Promise.all(ends);
});

async function waitUntil(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(cond());
}
