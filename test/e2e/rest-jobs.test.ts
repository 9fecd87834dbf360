/**
 * Jobs through the REST API, so new clients never need the Scrapyd dialect: submit with arguments, settings, tags
 * and priority; the same job service as schedule.json (listjobs sees REST jobs and vice versa, same errors with
 * their codes); filtered cursor pages; one job with its detail; cancel of pending and running jobs.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ScrapydClient } from '../helpers/clients.js';
import { RestClient } from '../helpers/http.js';
import { deploy, listJobs, schedule, waitFinished, waitLog, waitRunning } from '../helpers/jobs.js';
import { startMaster } from '../helpers/processes.js';

interface Job {
  id: string;
  state: string;
  outcome: string | null;
  args: Record<string, string>;
  settings: Record<string, string>;
  tags: string[];
  priority: number;
  version: string | null;
  versionRequested: string | null;
  attempts?: unknown[];
  [k: string]: unknown;
}

void test('submit, page, inspect and cancel jobs through /api/v1/jobs', async (t) => {
  const master = await startMaster(t, { env: { SCRAPYARD_MAX_PROC: '1' } });
  const api = new ScrapydClient(master.url);
  const rest = new RestClient(master.url);
  await deploy(api, 'demo', '1.0');

  // Submit: arguments and settings reach the spider, as with schedule.json.
  const created = await rest.call('POST', '/api/v1/jobs', {
    project: 'demo',
    spider: 'quick',
    jobId: 'rest-1',
    args: { arg: 'from rest' },
    settings: { DEMO_SETTING: 'x=y' },
  });
  assert.equal(created.status, 201, created.text);
  // The reply reads the job back after the commit, and the free slot may already have started it.
  const job = created.json as Job;
  assert.deepEqual(
    [job.id, job.args, job.settings, job.versionRequested, job.priority],
    ['rest-1', { arg: 'from rest' }, { DEMO_SETTING: 'x=y' }, null, 0],
  );
  const done = await waitFinished(api, 'rest-1');
  assert.equal(done.outcome, 'succeeded');
  const items = (await api.raw('GET', done.items_url!)).text.trim().split('\n');
  assert.deepEqual(JSON.parse(items[0]!), { n: 0, arg: 'from rest', setting: 'x=y', job: 'rest-1' });
  const detail = (await rest.get('/api/v1/jobs/rest-1?project=demo')) as Job;
  assert.deepEqual(
    [detail.state, detail.outcome, detail.version, detail.attempts],
    ['finished', 'succeeded', '1_0', []],
  );

  // The same job service as the Scrapyd API: same errors, with their codes.
  const refused = async (body: unknown, status: number, code: string, message?: RegExp) => {
    const r = await rest.call('POST', '/api/v1/jobs', body);
    assert.equal(r.status, status, r.text);
    const err = r.json.error as { code: string; message: string };
    assert.equal(err.code, code);
    if (message) assert.match(err.message, message);
  };
  await refused({ project: 'nope', spider: 'quick' }, 404, 'PROJECT_NOT_FOUND', /^project 'nope' not found$/);
  await refused({ project: 'demo', spider: 'ghost' }, 404, 'SPIDER_NOT_FOUND', /^spider 'ghost' not found$/);
  await refused({ project: 'demo', spider: 'quick', version: '9' }, 404, 'VERSION_NOT_FOUND');
  await refused({ project: 'demo', spider: 'quick', args: { _job: 'x' } }, 400, 'BAD_REQUEST', /'_job' is reserved/);
  await refused({ project: 'demo', spider: '../x' }, 400, 'BAD_REQUEST', /spider/);
  await refused({ project: 'demo', spider: 'quick', colour: 'red' }, 400, 'BAD_REQUEST', /colour/);
  await refused({ project: 'demo', spider: 'quick', tags: ['bad tag'] }, 400, 'BAD_REQUEST');
  const anonymous = new RestClient(master.url, { adminToken: null });
  assert.equal((await anonymous.call('POST', '/api/v1/jobs', { project: 'demo', spider: 'quick' })).status, 401);

  // A blocker holds the only slot; REST and Scrapyd jobs queue together, by priority.
  const blocker = await schedule(api, { project: 'demo', spider: 'slow', seconds: '60', jobid: 'blocker' });
  await waitRunning(api, blocker);
  const low = (await rest.ok('POST', '/api/v1/jobs', {
    project: 'demo',
    spider: 'quick',
    jobId: 'rest-low',
    priority: -1,
  })) as Job;
  assert.deepEqual([low.state, low.priority], ['pending', -1]);
  await schedule(api, { project: 'demo', spider: 'quick', jobid: 'scrapyd-mid' });
  await rest.ok('POST', '/api/v1/jobs', {
    project: 'demo',
    spider: 'quick',
    jobId: 'rest-high',
    priority: 5,
    tags: [],
    version: '1.0',
  });
  assert.deepEqual(
    (await listJobs(api)).pending.map((j) => j.id),
    ['rest-high', 'scrapyd-mid', 'rest-low'],
  );

  // Pages: newest first, filtered, with a cursor that walks the rest and then stops.
  const page1 = await rest.get('/api/v1/jobs?limit=2');
  assert.deepEqual(
    (page1.jobs as Job[]).map((j) => j.id),
    ['rest-high', 'scrapyd-mid'],
  );
  const page2 = await rest.get(`/api/v1/jobs?limit=2&cursor=${String(page1.nextCursor)}`);
  assert.deepEqual(
    (page2.jobs as Job[]).map((j) => j.id),
    ['rest-low', 'blocker'],
  );
  const page3 = await rest.get(`/api/v1/jobs?limit=2&cursor=${String(page2.nextCursor)}`);
  assert.deepEqual([(page3.jobs as Job[]).map((j) => j.id), page3.nextCursor], [['rest-1'], null]);
  const pendingQuick = await rest.get('/api/v1/jobs?state=pending&spider=quick');
  assert.deepEqual((pendingQuick.jobs as Job[]).map((j) => j.id).sort(), ['rest-high', 'rest-low', 'scrapyd-mid']);
  const finishedOk = await rest.get('/api/v1/jobs?state=finished,running&outcome=succeeded');
  assert.deepEqual(
    (finishedOk.jobs as Job[]).map((j) => j.id),
    ['rest-1'],
  );
  assert.deepEqual(
    ((await rest.get('/api/v1/jobs?nodeId=local&state=running')).jobs as Job[]).map((j) => j.id),
    ['blocker'],
  );
  for (const bad of ['state=paused', 'limit=0', 'limit=1001', 'cursor=!!', 'cursor=AAAA', 'colour=red']) {
    const r = await rest.call('GET', `/api/v1/jobs?${bad}`);
    assert.equal(r.status, 400, `${bad}: ${r.text}`);
  }

  // Cancel: a pending job is removed, a running one gets the signal; unknown 404, finished 409.
  const cancelled = await rest.ok('POST', '/api/v1/jobs/rest-low/cancel', { project: 'demo' });
  assert.deepEqual(cancelled, { id: 'rest-low', project: 'demo', previousState: 'pending' });
  assert.equal((await api.get('status.json', { job: 'rest-low' })).currstate, null);
  await waitLog(api, `/logs/demo/slow/${blocker}.log`, /SLOW_TICK 1\n/);
  const stop = await rest.ok('POST', `/api/v1/jobs/${blocker}/cancel`, { project: 'demo', signal: 'TERM' });
  assert.equal(stop.previousState, 'running');
  assert.equal((await waitFinished(api, blocker)).outcome, 'cancelled');
  assert.match((await api.raw('GET', `/logs/demo/slow/${blocker}.log`)).text, /Received SIGTERM/);
  const unknown = await rest.call('POST', '/api/v1/jobs/nobody/cancel', { project: 'demo' });
  assert.deepEqual([unknown.status, (unknown.json.error as { code: string }).code], [404, 'NOT_FOUND']);
  const again = await rest.call('POST', `/api/v1/jobs/${blocker}/cancel`, { project: 'demo' });
  assert.deepEqual([again.status, (again.json.error as { code: string }).code], [409, 'CONFLICT']);
  const badSignal = await rest.call('POST', '/api/v1/jobs/rest-high/cancel', { project: 'demo', signal: 'BOGUS' });
  assert.equal(badSignal.status, 400);
  assert.equal((await api.get('status.json', { job: 'rest-high' })).currstate !== null, true);
  for (const id of ['rest-high', 'scrapyd-mid']) assert.equal((await waitFinished(api, id)).outcome, 'succeeded');
});
