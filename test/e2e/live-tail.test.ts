/**
 * The live tail (SSE) against a real master, on the paths the route's unit tests only cover with an in-memory
 * job lookup: a pending job's tail stays open with keepalives and then follows the crawl to its `end`; a pending
 * job cancelled while followed ends as `gone`; with logs and items disabled the tail answers 404 and says why; an
 * open tail ends as soon as its caller loses access (token revoked, grant revoked, user disabled).
 */
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { test } from 'node:test';
import { CreatedApiToken } from '@scrapyard/protocol';
import { ScrapydClient } from '../helpers/clients.js';
import { open, request, RestClient, sseEvents, type RequestOptions, type SseEvent } from '../helpers/http.js';
import { deploy, schedule, waitFinished, waitRunning } from '../helpers/jobs.js';
import { startMaster } from '../helpers/processes.js';
import type { TestUser } from '../helpers/session-users.js';
import { waitFor } from '../helpers/wait.js';

/** Reads a tail in the background: every event and comment as it arrives, and whether the response ended. */
function follow(res: IncomingMessage) {
  const events: SseEvent[] = [];
  let ended = false;
  let error: unknown;
  void (async () => {
    try {
      for await (const ev of sseEvents(res, { comments: true })) events.push(ev);
    } catch (e) {
      error = e;
    }
    ended = true;
  })();
  const chunks = () =>
    events.filter((e) => e.event === 'chunk').map((e) => JSON.parse(e.data) as { offset: number; text: string });
  return {
    events,
    ended: () => ended,
    chunks,
    text: () =>
      chunks()
        .map((c) => c.text)
        .join(''),
    /** The `end` event's data, once the server sent it and closed the response. */
    async end(what: string, timeoutMs = 60_000): Promise<unknown> {
      await waitFor(() => ended, { what, timeoutMs });
      assert.equal(error, undefined, `the tail ended cleanly: ${String(error)}`);
      const last = events.filter((e) => e.event !== ':').at(-1);
      assert.equal(last?.event, 'end', `the last event is end: ${JSON.stringify(events.slice(-3))}`);
      return JSON.parse(last.data) as unknown;
    },
  };
}

void test('a pending job: keepalives, then the crawl live to its end; cancelled while followed: gone', async (t) => {
  const master = await startMaster(t, { env: { SCRAPYARD_MAX_PROC: '1' } });
  const api = new ScrapydClient(master.url);
  const rest = new RestClient(master.url);
  await deploy(api);
  const blocker = await schedule(api, { project: 'demo', spider: 'slow', seconds: '120', jobid: 'blocker' });
  await waitRunning(api, blocker);
  const followed = await schedule(api, { project: 'demo', spider: 'quick', jobid: 'followed' });
  const doomed = await schedule(api, { project: 'demo', spider: 'quick', jobid: 'doomed' });

  const open = async (job: string) => {
    const res = await rest.stream(`/api/v1/jobs/${job}/log/stream?project=demo`);
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^text\/event-stream/);
    return follow(res);
  };
  const [tail, doomedTail] = [await open(followed), await open(doomed)];

  // Cancelling a followed pending job deletes it (Scrapyd semantics): its tail ends as gone.
  assert.equal(ScrapydClient.ok(await api.post('cancel.json', { project: 'demo', job: doomed })).prevstate, 'pending');
  assert.deepEqual(await doomedTail.end('the cancelled job’s tail to end'), { state: 'gone', outcome: null });
  assert.deepEqual(doomedTail.chunks(), []);

  // While its job waits, the tail stays open: a keepalive comment (every 15 s), no data.
  await waitFor(() => tail.events.some((e) => e.event === ':' && e.data === 'keepalive'), {
    what: 'a keepalive on the pending job’s tail',
    timeoutMs: 45_000,
  });
  assert.deepEqual(tail.chunks(), [], 'nothing to send while the job is pending');
  assert.equal((await api.get('status.json', { job: followed })).currstate, 'pending');

  // Freeing the slot starts it: the same connection follows the crawl live to the end.
  ScrapydClient.ok(await api.post('cancel.json', { project: 'demo', job: blocker, signal: 'KILL' }));
  assert.deepEqual(await tail.end('the followed crawl’s tail to end'), { state: 'finished', outcome: 'succeeded' });
  const done = await waitFinished(api, followed);
  const log = (await api.raw('GET', done.log_url!)).text;
  assert.match(log, /QUICK_DONE/);
  assert.equal(tail.text(), log, 'the tail delivered the whole log, exactly');
  assert.equal(tail.chunks()[0]?.offset, 0);
});

void test('with logs and items disabled the tail is 404 and says why', async (t) => {
  const master = await startMaster(t, { env: { SCRAPYARD_LOGS_DIR: '', SCRAPYARD_ITEMS_DIR: '' } });
  const api = new ScrapydClient(master.url);
  const rest = new RestClient(master.url);
  await deploy(api);
  const done = await waitFinished(api, await schedule(api, { project: 'demo', spider: 'quick', jobid: 'nolog' }));
  assert.equal(done.outcome, 'succeeded');
  assert.deepEqual([done.log_url, done.items_url], [null, null]);

  const tail = async (query: string) => {
    const r = await rest.call('GET', `/api/v1/jobs/nolog/log/stream?project=demo${query}`);
    assert.equal(r.status, 404, r.text);
    const err = r.json.error as { code: string; message: string };
    assert.equal(err.code, 'NOT_FOUND');
    return err.message;
  };
  assert.equal(await tail(''), 'logs are disabled on this master (logs_dir is empty)');
  assert.equal(await tail('&stream=items'), 'items are not kept on this master (items_dir is empty or a URL)');
  const unknown = await rest.call('GET', '/api/v1/jobs/no-such-job/log/stream');
  assert.equal(unknown.status, 404);
  assert.equal((unknown.json.error as { code: string }).code, 'NOT_FOUND');
});

void test('an open tail ends as soon as its caller loses access: token revoked, grant revoked, user disabled', async (t) => {
  const root = { username: 'root', password: 'pw-live-tail-root' };
  const env = { SCRAPYD_USERNAME: root.username, SCRAPYD_PASSWORD: root.password };
  const vic: TestUser = { name: 'vic', password: 'vic-password-12', grants: [{ role: 'viewer', projects: ['demo'] }] };
  const una: TestUser = { name: 'una', password: 'una-password-12', grants: [{ role: 'viewer', projects: '*' }] };
  const master = await startMaster(t, { env });
  const api = new ScrapydClient(master.url, root);
  const admin = new RestClient(master.url, { auth: root });
  for (const u of [vic, una]) await admin.ok('POST', '/api/v1/users', { ...u });
  await deploy(api);
  const job = await schedule(api, { project: 'demo', spider: 'slow', seconds: '120' });
  await waitRunning(api, job);

  const token = CreatedApiToken.parse(await admin.ok('POST', '/api/v1/tokens', { name: 'tail', role: 'viewer' }));
  const login = await request(`${master.url}/api/v1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: vic.name, password: vic.password }),
  });
  assert.equal(login.status, 201, login.text);
  const cookie = /^scrapyard_session=[^;]+/.exec(login.headers.get('set-cookie') ?? '')![0];
  const tail = async (o: RequestOptions) => {
    const res = await open(`${master.url}/api/v1/jobs/${job}/log/stream?project=demo`, { ...o, timeoutMs: 600_000 });
    assert.equal(res.statusCode, 200);
    return follow(res);
  };
  const byToken = await tail({ bearer: token.secret });
  const bySession = await tail({ headers: { cookie } });
  const byPassword = await tail({ auth: { username: una.name, password: una.password } });
  const byRoot = await tail({ auth: root });
  const open4 = [byToken, bySession, byPassword, byRoot];
  // The access.changed event ends them (the route's unit test shows it is the event, not the next 15 s keepalive,
  // which checks again too): the bound leaves room for a loaded machine.
  const ends = (f: ReturnType<typeof follow>, what: string) => waitFor(f.ended, { what, timeoutMs: 30_000 });

  await admin.ok('DELETE', `/api/v1/tokens/${token.token.id}`);
  await ends(byToken, 'the revoked token’s tail to end');
  await admin.ok('POST', '/api/v1/users/vic/revoke', { role: 'viewer', projects: ['demo'] });
  await ends(bySession, 'the tail of a session whose user lost the grant to end');
  await admin.ok('POST', '/api/v1/users/una/disable');
  await ends(byPassword, 'the disabled user’s tail to end');
  assert.deepEqual(
    open4.map((f) => f.ended()),
    [true, true, true, false],
    'the built-in admin’s tail goes on',
  );
  for (const f of open4.slice(0, 3)) assert.ok(!f.events.some((e) => e.event === 'end'), 'no end event: not finished');
});
