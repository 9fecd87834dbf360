/**
 * Webhooks against a real master, embedded agent and crawls, delivered to HTTP receivers the test starts: job events
 * and item batches signed as Standard Webhooks do (verified with the reference library), a failing receiver retried
 * with backoff, the per-hook rate limit (which holds across a kill -9), a kill -9 of the master while a request is at
 * the receiver that loses no delivery and leaves no request uncounted, Retry-After, delivery_max_attempts, the delivery
 * counters of /metrics, a disabled hook and replays after a restart that never reach before a hook existed, and bad
 * input refused with a clear 4xx and nothing stored.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { ScrapydClient } from '../helpers/clients.js';
import { RestClient } from '../helpers/http.js';
import { deploy, schedule, waitFinished } from '../helpers/jobs.js';
import { adminTokenFor, startMaster, tempDir } from '../helpers/processes.js';
import { scrapeParsed, value } from '../helpers/prometheus.js';
import { signatureHeadersOf as headersOf, startReceiver } from '../helpers/receivers.js';
import { waitFor } from '../helpers/wait.js';

interface Envelope {
  type: string;
  timestamp: string;
  data: Record<string, unknown>;
}
interface Delivery {
  id: string;
  event: string;
  state: string;
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
  latencyMs: number | null;
}

void test('signed job events and item batches reach a receiver; bad input is refused and nothing stored', async (t) => {
  const receiver = await startReceiver(t);
  const master = await startMaster(t);
  const api = new ScrapydClient(master.url);
  const rest = new RestClient(master.url);
  await deploy(api, 'demo', '1.0');

  const refused = async (body: unknown, msg: RegExp) => {
    const r = await rest.call('POST', '/api/v1/webhooks', body);
    assert.equal(r.status, 400, r.text);
    const err = r.json.error as { code: string; message: string };
    assert.equal(err.code, 'BAD_REQUEST');
    assert.match(err.message, msg);
  };
  await refused({ url: 'ftp://127.0.0.1/x' }, /http:\/\/ or https:\/\//);
  await refused({ url: 'file:///etc/passwd' }, /http:\/\/ or https:\/\//);
  await refused({ url: 'http://user:pw@127.0.0.1/' }, /user or password/);
  await refused({ url: receiver.url, spider: 'quick' }, /spider needs its project/);
  await refused({ url: receiver.url, events: [] }, /at least one event, or items/);
  await refused({ url: receiver.url, events: ['job.exploded'] }, /events/);
  await refused({ url: receiver.url, secret: 'not-a-secret' }, /whsec_/);
  await refused({ url: receiver.url, ratePerSecond: 0 }, /ratePerSecond/);
  await refused({ url: receiver.url, surprise: 1 }, /surprise|unrecognized/i);
  assert.equal(
    (await new RestClient(master.url, { adminToken: null }).call('POST', '/api/v1/webhooks', { url: receiver.url }))
      .status,
    401,
  );
  assert.deepEqual((await rest.get('/api/v1/webhooks')).webhooks, []);
  assert.equal((await rest.call('GET', '/api/v1/webhooks/wh_nothing')).status, 404);

  const created = await rest.ok('POST', '/api/v1/webhooks', {
    name: 'all of demo',
    url: `${receiver.url}/hook`,
    project: 'demo',
    items: true,
    itemsPerBatch: 2,
    ratePerSecond: 100,
  });
  const secret = created.secret as string;
  const hook = created.webhook as { id: string; events: string[] };
  assert.match(secret, /^whsec_/);
  assert.deepEqual(hook.events, ['job.started', 'job.finished', 'job.failed', 'job.retried']);
  // The secret is shown once: never again, in any read.
  const shown = JSON.stringify([await rest.get(`/api/v1/webhooks/${hook.id}`), await rest.get('/api/v1/webhooks')]);
  assert.ok(!shown.includes(secret.slice(6, 20)), 'the secret is not returned after creation');

  const ok = await schedule(api, { project: 'demo', spider: 'quick', jobid: 'ok-1' });
  const bad = await schedule(api, { project: 'demo', spider: 'crash', jobid: 'bad-1' });
  await waitFinished(api, ok);
  await waitFinished(api, bad);

  const verifier = new StandardWebhook(secret);
  // Checked on arrival: a bad signature fails the test at once (not as a timeout of the wait below).
  receiver.verifyWith(secret);
  const envelopes = await receiver.until(
    () => {
      const got = receiver.received.map((r) => verifier.verify(r.body, headersOf(r)) as Envelope);
      const types = got.map((e) => `${e.type}:${String(e.data.jobId)}`).sort();
      const want = [
        'job.started:ok-1',
        'job.started:bad-1',
        'job.finished:ok-1',
        'job.finished:bad-1',
        'job.failed:bad-1',
      ];
      const items = got.filter((e) => e.type === 'job.items');
      const itemCount = items.reduce((n, e) => n + (e.data.items as unknown[]).length, 0);
      return want.every((w) => types.includes(w)) && itemCount === 3 && got;
    },
    { what: 'job events and 3 items at the receiver', timeoutMs: 60_000 },
  );
  // A forged or altered body fails verification: the signature covers id, timestamp and body.
  const sample = receiver.received[0]!;
  assert.throws(() => verifier.verify(`${sample.body} `, headersOf(sample)));
  assert.throws(() =>
    new StandardWebhook(`whsec_${Buffer.alloc(32, 1).toString('base64')}`).verify(sample.body, headersOf(sample)),
  );

  const finished = envelopes.find((e) => e.type === 'job.finished' && e.data.jobId === 'bad-1')!;
  assert.equal(finished.data.outcome, 'failed');
  assert.equal(finished.data.project, 'demo');
  assert.equal(finished.data.spider, 'crash');
  assert.match(String((finished.data.links as { job: string }).job), /\/api\/v1\/jobs\/bad-1$/);
  const batches = envelopes.filter((e) => e.type === 'job.items');
  assert.deepEqual(
    batches.map((b) => (b.data.items as unknown[]).length),
    [2, 1],
    'batches of itemsPerBatch, the rest when the crawl ended',
  );
  assert.deepEqual(
    batches.flatMap((b) => (b.data.items as { n: number }[]).map((i) => i.n)),
    [0, 1, 2],
  );
  assert.equal(batches.at(-1)!.data.final, true);
  // A job's items come before its finish: the finish waits for the last batch.
  const arrival = envelopes.map((e) => `${e.type}:${String(e.data.jobId)}`);
  const lastBatch = arrival.lastIndexOf('job.items:ok-1');
  assert.ok(lastBatch >= 0 && lastBatch < arrival.indexOf('job.finished:ok-1'), arrival.join(' '));
  // Each delivery is sent once when the receiver answers 2xx.
  const ids = receiver.received.map((r) => r.headers['webhook-id']);
  assert.equal(new Set(ids).size, ids.length);

  const log = (await rest.get(`/api/v1/webhooks/${hook.id}/deliveries`)).deliveries as Delivery[];
  assert.equal(log.length, receiver.received.length);
  for (const d of log) {
    assert.deepEqual([d.state, d.attempts, d.lastStatus, d.lastError], ['delivered', 1, 200, null]);
    assert.ok(typeof d.latencyMs === 'number' && d.latencyMs >= 0);
  }

  // "Send test": signed like the rest, logged like the rest.
  const tested = await rest.ok('POST', `/api/v1/webhooks/${hook.id}/test`);
  const testId = (tested.delivery as Delivery).id;
  const testReq = await receiver.until(() => receiver.received.find((r) => r.headers['webhook-id'] === testId), {
    what: 'the test delivery',
  });
  assert.equal((verifier.verify(testReq.body, headersOf(testReq)) as Envelope).type, 'webhook.test');

  // Update and delete: a hook for another spider no longer receives demo/quick's events.
  await rest.ok('PATCH', `/api/v1/webhooks/${hook.id}`, { spider: 'slow', items: false });
  const before = receiver.received.length;
  await waitFinished(api, await schedule(api, { project: 'demo', spider: 'quick' }));
  const patchBad = await rest.call('PATCH', `/api/v1/webhooks/${hook.id}`, { url: 'gopher://x' });
  assert.equal(patchBad.status, 400);
  assert.equal(
    ((await rest.get(`/api/v1/webhooks/${hook.id}`)).webhook as { url: string }).url,
    `${receiver.url}/hook`,
  );
  assert.equal(receiver.received.length, before, 'nothing for a spider the hook no longer covers');
  assert.equal((await rest.call('DELETE', `/api/v1/webhooks/${hook.id}`)).status, 204);
  assert.equal((await rest.call('GET', `/api/v1/webhooks/${hook.id}/deliveries`)).status, 404);
});

void test('a failing receiver is retried with backoff under the rate limit, and a kill -9 mid-retry loses nothing', async (t) => {
  // Every delivery fails twice, then succeeds. The second request of all is held at the receiver until the master
  // is killed: the kill -9 comes after that attempt went out and before the master could hear how it ended.
  const failures = new Map<string, number>();
  let requests = 0;
  let killed = () => {};
  const afterKill = new Promise<void>((resolve) => (killed = resolve));
  const receiver = await startReceiver(t, async (r) => {
    const id = String(r.headers['webhook-id']);
    const n = failures.get(id) ?? 0;
    if (n < 2) failures.set(id, n + 1);
    if (++requests === 2) await afterKill;
    return n < 2 ? { status: 503, body: '{"error":"busy"}' } : { status: 200 };
  });
  const dataDir = tempDir(t);
  const env = { SCRAPYARD_OUTBOUND_TIMEOUT_SECONDS: '2' };
  const first = await startMaster(t, { dataDir, env, keepDataDir: true });
  let api = new ScrapydClient(first.url);
  let rest = new RestClient(first.url);
  await deploy(api, 'demo', '1.0');
  const created = await rest.ok('POST', '/api/v1/webhooks', { url: `${receiver.url}/h`, events: ['job.finished'] });
  const hookId = (created.webhook as { id: string }).id;
  const verifier = new StandardWebhook(created.secret as string);

  const jobs = ['r-1', 'r-2', 'r-3'];
  for (const jobid of jobs) await schedule(api, { project: 'demo', spider: 'quick', jobid });
  for (const jobid of jobs) await waitFinished(api, jobid);
  await waitFor(() => receiver.received.length >= 2, { what: 'an attempt held at the receiver', timeoutMs: 30_000 });

  await first.kill9();
  killed();
  const second = await startMaster(t, { dataDir, env });
  api = new ScrapydClient(second.url);
  rest = new RestClient(second.url);

  const delivered = await waitFor(
    async () => {
      const log = (await rest.get(`/api/v1/webhooks/${hookId}/deliveries`)).deliveries as Delivery[];
      return log.length === 3 && log.every((d) => d.state === 'delivered') && log;
    },
    { what: 'all three deliveries delivered after the restart', timeoutMs: 90_000 },
  );
  // Each request that went out is counted, the one cut short by the kill too (the claim counts it, before sending).
  for (const d of delivered) assert.deepEqual([d.attempts, d.lastStatus, d.lastError], [3, 200, null]);

  // Each finish arrived (verified), each exactly once successfully.
  const successes = receiver.received.filter((r) => (failures.get(String(r.headers['webhook-id'])) ?? 0) >= 2);
  const okIds = new Map<string, number>();
  for (const r of receiver.received) {
    okIds.set(String(r.headers['webhook-id']), (okIds.get(String(r.headers['webhook-id'])) ?? 0) + 1);
  }
  assert.deepEqual([...okIds.values()], [3, 3, 3], 'two failures and one success per delivery, none lost or doubled');
  assert.ok(successes.length >= 3);
  const jobIds = receiver.received.map((r) => (verifier.verify(r.body, headersOf(r)) as Envelope).data.jobId);
  assert.deepEqual([...new Set(jobIds)].sort(), jobs);

  // Rate limit (default 1 request/s per hook): each request starts at least a second after the one before, across
  // the kill -9 too (the restarted master starts the hook's bucket at its last recorded attempt, and an attempt is
  // recorded when it starts). They are timed here on arrival: the only slack is the time one request spent on its
  // way (a loaded machine), which moves it closer to the next but never accumulates.
  const times = receiver.received.map((r) => r.at);
  for (let i = 1; i < times.length; i++) {
    assert.ok(times[i]! - times[i - 1]! >= 500, `requests ${i - 1} and ${i}: ${times[i]! - times[i - 1]!} ms apart`);
  }
  assert.ok(times.at(-1)! - times[0]! >= (times.length - 1) * 1000 - 500, 'on average no faster than 1 request/s');
  // Backoff: a delivery's second retry waits longer than its first (1 s, then 2 s, ±20 %).
  for (const id of okIds.keys()) {
    const at = receiver.received.filter((r) => r.headers['webhook-id'] === id).map((r) => r.at);
    assert.ok(at[1]! - at[0]! >= 750, `first retry after ${at[1]! - at[0]!} ms`);
    assert.ok(at[2]! - at[1]! >= 1_550, `second retry after ${at[2]! - at[1]!} ms`);
  }
});

void test('a disabled hook receives nothing; after a restart neither it nor a hook created later gets older events', async (t) => {
  const receiver = await startReceiver(t);
  const dataDir = tempDir(t);
  // Receivers on loopback must be listed (outbound requests go to public addresses only unless listed).
  const env = { SCRAPYARD_OUTBOUND_ALLOWED_HOSTS: '127.0.0.1' };
  const first = await startMaster(t, { dataDir, env, keepDataDir: true });
  let api = new ScrapydClient(first.url);
  let rest = new RestClient(first.url);
  await deploy(api, 'demo', '1.0');
  const hook = async (path: string, extra: Record<string, unknown> = {}) =>
    (
      (await rest.ok('POST', '/api/v1/webhooks', { url: `${receiver.url}${path}`, project: 'demo', ...extra }))
        .webhook as { id: string }
    ).id;
  await hook('/witness', { events: ['job.finished'], ratePerSecond: 100 });
  const disabled = await hook('/disabled', { enabled: false, ratePerSecond: 100 });
  const jobIds = (path: string) =>
    receiver.json(path).map((e) => `${(e as Envelope).type}:${String((e as Envelope).data.jobId)}`);

  await waitFinished(api, await schedule(api, { project: 'demo', spider: 'quick', jobid: 'q-1' }));
  await receiver.until(() => jobIds('/witness').includes('job.finished:q-1'), {
    what: "the witness gets q-1's finish",
  });
  assert.deepEqual(jobIds('/disabled'), [], 'a disabled hook receives nothing');

  // Created after q-1, and enabled again after it: neither is owed q-1, not even by a restart's replay.
  await hook('/late', { ratePerSecond: 100 });
  await rest.ok('PATCH', `/api/v1/webhooks/${disabled}`, { enabled: true });
  assert.equal(await first.stop(), 0);
  const second = await startMaster(t, { dataDir, env });
  api = new ScrapydClient(second.url);
  rest = new RestClient(second.url);
  await waitFinished(api, await schedule(api, { project: 'demo', spider: 'quick', jobid: 'q-2' }));
  // A replayed q-1 event would be due before q-2's (the outbox sends a hook's rows in event order).
  await receiver.until(() => ['/late', '/disabled', '/witness'].every((p) => jobIds(p).includes('job.finished:q-2')), {
    what: "q-2's finish at every hook",
  });
  for (const path of ['/late', '/disabled']) {
    assert.deepEqual(jobIds(path), ['job.started:q-2', 'job.finished:q-2'], path);
  }
});

void test("a hook's rate holds across a kill -9 of the master", async (t) => {
  const receiver = await startReceiver(t);
  const dataDir = tempDir(t);
  const env = { SCRAPYARD_OUTBOUND_ALLOWED_HOSTS: '127.0.0.1' };
  const first = await startMaster(t, { dataDir, env, keepDataDir: true });
  let rest = new RestClient(first.url);
  const created = await rest.ok('POST', '/api/v1/webhooks', { url: `${receiver.url}/slow`, ratePerSecond: 0.1 });
  const hookId = (created.webhook as { id: string }).id;
  const log = async () => (await rest.get(`/api/v1/webhooks/${hookId}/deliveries`)).deliveries as Delivery[];
  const sendTest = async () => ((await rest.ok('POST', `/api/v1/webhooks/${hookId}/test`)).delivery as Delivery).id;

  const one = await sendTest();
  await waitFor(async () => (await log()).find((d) => d.id === one)?.state === 'delivered', { what: 'the first' });
  // Due now, but the hook's rate (one request per 10 s) holds it: nothing is in flight at the kill.
  await sendTest();
  await first.kill9();
  assert.equal(receiver.received.length, 1);

  const second = await startMaster(t, { dataDir, env });
  rest = new RestClient(second.url);
  await waitFor(() => receiver.received.length === 2, { what: 'the second after the restart', timeoutMs: 60_000 });
  // The restarted master counts the interval from the end of the last attempt, which came after the receiver
  // saw it: no slack is needed for jitter in flight.
  const gap = receiver.received[1]!.at - receiver.received[0]!.at;
  assert.ok(gap >= 10_000, `the request after the restart came ${gap} ms after the one before`);
});

void test('Retry-After and delivery_max_attempts end to end; /metrics counts each attempt by its result', async (t) => {
  const seen = new Map<string, number>();
  const receiver = await startReceiver(t, (r) => {
    const n = (seen.get(r.path) ?? 0) + 1;
    seen.set(r.path, n);
    if (r.path === '/busy' && n === 1) return { status: 429, headers: { 'retry-after': '3' } };
    if (r.path === '/broken') return { status: 500, body: '{"error":"down"}' };
    return { status: 200 };
  });
  const master = await startMaster(t, {
    env: { SCRAPYARD_DELIVERY_MAX_ATTEMPTS: '2', SCRAPYARD_OUTBOUND_ALLOWED_HOSTS: '127.0.0.1' },
  });
  const rest = new RestClient(master.url);
  const hookAt = async (path: string) =>
    (
      (await rest.ok('POST', '/api/v1/webhooks', { url: `${receiver.url}${path}`, ratePerSecond: 100 })).webhook as {
        id: string;
      }
    ).id;
  const busy = await hookAt('/busy');
  const broken = await hookAt('/broken');
  for (const id of [busy, broken]) await rest.ok('POST', `/api/v1/webhooks/${id}/test`);
  const settled = (id: string, state: string) =>
    waitFor(
      async () => {
        const [d] = (await rest.get(`/api/v1/webhooks/${id}/deliveries`)).deliveries as Delivery[];
        return d?.state === state && d;
      },
      { what: `${id}'s test delivery ${state}` },
    );

  const delivered = await settled(busy, 'delivered');
  assert.equal(delivered.attempts, 2);
  const at = receiver.received.filter((r) => r.path === '/busy').map((r) => r.at);
  assert.ok(at[1]! - at[0]! >= 3_000, `retried ${at[1]! - at[0]!} ms after a 429 with Retry-After: 3`);

  const dead = await settled(broken, 'dead');
  assert.deepEqual([dead.attempts, dead.lastStatus], [2, 500]);
  assert.equal(seen.get('/broken'), 2, 'delivery_max_attempts = 2: no third attempt');

  const m = await scrapeParsed(master.url, { bearer: adminTokenFor(master.url)! });
  const count = (result: string) => value(m, 'scrapyard_deliveries_total', { kind: 'webhook', result });
  assert.deepEqual(
    ['delivered', 'retrying', 'dead'].map(count),
    [1, 2, 1],
    'busy: retrying then delivered; broken: retrying then dead',
  );
});
