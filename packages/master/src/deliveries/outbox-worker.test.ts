/**
 * The outbox worker against a real HTTP receiver on loopback, on both stores: a receiver's rate holds across a
 * restart of the worker (its buckets start from the last attempt in the outbox), `Retry-After` delays the next
 * attempt, `delivery_max_attempts` ends in `dead`, a disabled hook's deliveries wait until it is enabled again,
 * every attempt is counted in `scrapyard_deliveries_total` under its own result, an attempt cut short by a crash
 * after its request went out is counted all the same, and a slow claim does not shorten the interval.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestContext } from 'node:test';
import pino from 'pino';
import { waitFor } from '../../../../test/helpers/wait.js';
import { SecretBox } from '../auth/secret-box.js';
import { createDeliveriesRepo, type DeliveriesRepo, type NewDelivery } from '../db/repos/deliveries.js';
import { openTestDatabase, testEachStore } from '../db/stores.test-support.js';
import { DomainEvents } from '../events/domain-events.js';
import { createFamilies } from '../metrics-export/families.js';
import { FiringAlerts } from '../metrics-export/firing-alerts.js';
import { LabelBudget } from '../metrics-export/label-budget.js';
import { QueueClock } from '../metrics-export/queue-clock.js';
import { RunDeltas } from '../metrics-export/run-deltas.js';
import { subscribeMetrics } from '../metrics-export/subscriptions.js';
import { OutboundPolicy } from './outbound-policy.js';
import { OutboxWorker } from './outbox-worker.js';
import { newSigningSecret } from './signing.js';
import { TargetCatalog } from './targets.js';

const logger = pino({ level: 'silent' });
const box = new SecretBox(Buffer.alloc(32, 7));

interface Hit {
  at: number;
  path: string;
  id: string;
}

/** A receiver answering each request as `answer` says (by path and how often that delivery came). */
async function receiver(
  t: TestContext,
  answer: (path: string, nth: number) => { status: number; headers?: Record<string, string> } = () => ({
    status: 200,
  }),
) {
  const hits: Hit[] = [];
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const id = String(req.headers['webhook-id']);
      const hit = { at: Date.now(), path: req.url ?? '', id };
      hits.push(hit);
      const a = answer(hit.path, hits.filter((h) => h.id === id).length);
      res.writeHead(a.status, a.headers).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits };
}

async function setup(t: TestContext, store: 'sqlite' | 'postgres') {
  const repo = createDeliveriesRepo(await openTestDatabase(t, store));
  const targets = new TargetCatalog(repo);
  const events = new DomainEvents({ logger });
  const families = createFamilies({ processMetrics: false });
  t.after(
    subscribeMetrics({
      events,
      families,
      labels: new LabelBudget(100),
      deltas: new RunDeltas({ maxLive: 10, maxEnded: 10 }),
      queue: new QueueClock(10),
      firing: new FiringAlerts(10),
      jobOf: () => Promise.resolve(undefined),
      logger,
    }),
  );
  const workers: OutboxWorker[] = [];
  t.after(() => Promise.all(workers.map((w) => w.stop())));
  /** A new worker, as a restarted master makes one (on its own store wrapper or clock, if given). */
  const worker = (maxAttempts = 12, o: { repo?: DeliveriesRepo; now?: () => number } = {}) => {
    const w = new OutboxWorker({
      repo: o.repo ?? repo,
      targets,
      events,
      send: {
        box,
        policy: new OutboundPolicy(['127.0.0.1']),
        timeoutMs: 5_000,
        files: { logsDir: '', itemsDir: '' },
        now: Date.now,
      },
      logger,
      now: o.now ?? Date.now,
      maxAttempts,
      toKeep: 100,
    });
    workers.push(w);
    w.start();
    return w;
  };
  const hook = async (url: string, o: { rate?: number; enabled?: boolean } = {}) => {
    const id = `wh_${randomBytes(6).toString('hex')}`;
    await repo.webhooks.insert({
      id,
      name: null,
      project: null,
      spider: null,
      url,
      secret: box.seal(newSigningSecret()),
      events: JSON.stringify(['job.finished']),
      items: 0,
      items_per_batch: 100,
      rate_per_second: o.rate ?? 100,
      enabled: o.enabled === false ? 0 : 1,
      created_at: Date.now(),
      updated_at: Date.now(),
    });
    await targets.reload();
    return id;
  };
  const counters = async () => {
    const m = await families.deliveries.get();
    return Object.fromEntries(m.values.map((v) => [`${v.labels.kind}:${v.labels.result}`, v.value]));
  };
  return { repo, targets, worker, hook, counters };
}

function delivery(targetId: string): NewDelivery {
  const now = Date.now();
  const id = `msg_${randomBytes(8).toString('hex')}`;
  return {
    id,
    kind: 'webhook',
    target_id: targetId,
    dedup_key: `test:${id}`,
    event: 'webhook.test',
    payload: JSON.stringify({ kind: 'event', type: 'webhook.test', at: now, data: {} }),
    next_at: now,
    created_at: now,
  };
}

const settled = (repo: DeliveriesRepo, id: string, state: 'delivered' | 'dead') =>
  waitFor(async () => (await repo.get(id))?.state === state && repo.get(id), { what: `${id} ${state}` });

testEachStore("a receiver's rate holds across a restart of the worker", {}, async (t, store) => {
  const { repo, worker, hook } = await setup(t, store);
  const rx = await receiver(t);
  const target = await hook(`${rx.url}/slow`, { rate: 0.5 }); // one request per 2 s
  const first = delivery(target);
  await repo.enqueue([first]);
  const w1 = worker();
  const before = await settled(repo, first.id, 'delivered');
  await w1.stop();

  // A new worker (a restarted master) with the next delivery due at once: it still waits out the interval,
  // counted from the end of the last attempt, which the receiver saw before it answered.
  const second = delivery(target);
  await repo.enqueue([second]);
  worker();
  await settled(repo, second.id, 'delivered');
  assert.equal(rx.hits.length, 2);
  const gap = rx.hits[1]!.at - rx.hits[0]!.at;
  assert.ok(gap >= 2_000, `the request after the restart came ${gap} ms after the one before`);
  assert.ok(before.last_attempt_at! >= rx.hits[0]!.at);

  // An attempt cut short (claimed, never settled) counts from its start: the claim records it.
  const third = delivery(target);
  await repo.enqueue([third]);
  const claimedAt = Date.now() + 60_000;
  assert.ok(await repo.claim(third.id, third.next_at, claimedAt + 60_000, claimedAt));
  assert.equal((await repo.lastAttempts()).get(target), claimedAt);
});

testEachStore(
  'Retry-After delays the next attempt, max attempts end in dead, and each result is counted',
  {},
  async (t, store) => {
    const { repo, worker, hook, counters } = await setup(t, store);
    const rx = await receiver(t, (path, nth) => {
      if (path === '/busy' && nth === 1) return { status: 503, headers: { 'retry-after': '2' } };
      if (path === '/broken') return { status: 500 };
      return { status: 200 };
    });
    const busy = delivery(await hook(`${rx.url}/busy`));
    const broken = delivery(await hook(`${rx.url}/broken`));
    const fine = delivery(await hook(`${rx.url}/fine`));
    await repo.enqueue([busy, broken, fine]);
    worker(2);

    const busyDone = await settled(repo, busy.id, 'delivered');
    const at = rx.hits.filter((h) => h.id === busy.id).map((h) => h.at);
    assert.equal(at.length, 2);
    // The backoff alone would retry after about a second.
    assert.ok(at[1]! - at[0]! >= 2_000, `retried ${at[1]! - at[0]!} ms after a Retry-After of 2 s`);
    assert.equal(busyDone.attempts, 2);

    // After its second attempt (recorded with its state in one update) it is dead, not due again.
    const dead = await waitFor(async () => ((await repo.get(broken.id))?.attempts ?? 0) >= 2 && repo.get(broken.id), {
      what: 'two attempts of the broken delivery',
    });
    assert.deepEqual([dead?.state, dead?.attempts, dead?.last_status], ['dead', 2, 500]);
    assert.equal(rx.hits.filter((h) => h.id === broken.id).length, 2, 'no attempt after the last');
    await settled(repo, fine.id, 'delivered');

    assert.deepEqual(await counters(), {
      'webhook:delivered': 2,
      'webhook:retrying': 2,
      'webhook:dead': 1,
      'alert:delivered': 0,
      'alert:retrying': 0,
      'alert:dead': 0,
    });
  },
);

testEachStore("a disabled hook's deliveries wait in the outbox until it is enabled again", {}, async (t, store) => {
  const { repo, targets, worker, hook } = await setup(t, store);
  const rx = await receiver(t);
  const off = await hook(`${rx.url}/off`, { enabled: false });
  const on = await hook(`${rx.url}/on`);
  const held = delivery(off);
  const witness = delivery(on);
  // The disabled hook's row is due first: a worker that sent it would send it before the witness.
  held.next_at -= 1_000;
  await repo.enqueue([held, witness]);
  const w = worker();
  await settled(repo, witness.id, 'delivered');
  assert.deepEqual(
    rx.hits.map((h) => h.path),
    ['/on'],
  );
  const waiting = await repo.get(held.id);
  assert.deepEqual([waiting?.state, waiting?.attempts], ['pending', 0]);

  await repo.webhooks.update(off, { enabled: 1 });
  await targets.reload();
  w.wake(); // as the API's update does
  await settled(repo, held.id, 'delivered');
  assert.deepEqual(
    rx.hits.map((h) => h.path),
    ['/on', '/off'],
  );
});

testEachStore(
  "a hook's backlog beyond one read of the outbox does not hold up the other targets",
  {},
  async (t, store) => {
    const { repo, worker, hook } = await setup(t, store);
    const rx = await receiver(t);
    const slow = await hook(`${rx.url}/slow`, { rate: 0.1 });
    const other = await hook(`${rx.url}/other`);
    const backlog = Array.from({ length: 250 }, () => ({ ...delivery(slow), next_at: Date.now() - 60_000 }));
    const waiting = delivery(other);
    await repo.enqueue([...backlog, waiting]);
    worker();
    // Without reading past the slow hook's rows (older, and more than one read holds), this would wait for them all.
    await waitFor(async () => (await repo.get(waiting.id))?.state === 'delivered', {
      what: 'the other target delivered',
      timeoutMs: 8_000,
    });
    assert.equal(rx.hits.filter((h) => h.path === '/slow').length, 1, 'the slow hook keeps its rate');
  },
);

testEachStore('an attempt cut short by a crash after its request went out still counts', {}, async (t, store) => {
  const { repo, worker, hook } = await setup(t, store);
  const rx = await receiver(t, (_path, nth) => ({ status: nth === 1 ? 503 : 200 }));
  const d = delivery(await hook(`${rx.url}/h`));
  await repo.enqueue([d]);
  // A master killed while its request is at the receiver: it writes nothing after sending.
  const killed = { ...repo, settle: () => Promise.reject(new Error('killed -9')) };
  const w = worker(12, { repo: killed });
  await waitFor(() => rx.hits.length === 1, { what: 'the first request at the receiver' });
  await w.stop();
  const cut = await repo.get(d.id);
  assert.deepEqual([cut?.state, cut?.attempts], ['pending', 1], 'the request that went out is counted');

  // The next master, once the lease has run out (its clock a minute on), tries it again and counts on.
  worker(12, { now: () => Date.now() + 60_000 });
  const done = await settled(repo, d.id, 'delivered');
  assert.deepEqual([done?.attempts, rx.hits.length], [2, 2]);
});

testEachStore('a slow claim does not let the next request follow sooner than the rate allows', {}, async (t, store) => {
  const { repo, worker, hook } = await setup(t, store);
  const rx = await receiver(t);
  const target = await hook(`${rx.url}/r`, { rate: 1 });
  const [a, b] = [delivery(target), delivery(target)];
  await repo.enqueue([a, b]);
  // The first claim's write takes 700 ms of the worker's clock (a busy disk) before its request goes out.
  let lag = 0;
  const slowClaim: DeliveriesRepo['claim'] = async (...args) => {
    const won = await repo.claim(...args);
    lag = 700;
    return won;
  };
  worker(12, { repo: { ...repo, claim: slowClaim }, now: () => Date.now() + lag });
  await settled(repo, b.id, 'delivered');
  const gap = rx.hits[1]!.at - rx.hits[0]!.at;
  assert.ok(gap >= 800, `the second request came ${gap} ms after the first, at 1 request/s`);
});
