/**
 * What the UI's pages read and do through REST (docs/ui-data.md), against a real master and a real crawl: eggs
 * uploaded raw and as a form (the same project service as addversion.json), projects with versions and spiders,
 * a job's log by byte ranges, searched, and downloaded with Range; the dashboard's overview in a zone; the job list's
 * time filter; a running crawl's growing log; and a reader of another project, to whom the job is as missing as an unknown one.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ScrapydClient } from '../helpers/clients.js';
import { buildEgg } from '../helpers/eggs.js';
import { RestClient, request } from '../helpers/http.js';
import { DEMO_SPIDERS, waitFinished } from '../helpers/jobs.js';
import { adminTokenFor, startMaster } from '../helpers/processes.js';
import { waitFor } from '../helpers/wait.js';

void test('projects, a job log by ranges and search, the overview, through /api/v1', async (t) => {
  // Credentials configured, so a token's grants count (an open master lets everyone read everything).
  const admin = { username: 'ui', password: 'ui-data-secret' };
  const master = await startMaster(t, {
    env: { SCRAPYARD_USERNAME: admin.username, SCRAPYARD_PASSWORD: admin.password },
  });
  const rest = new RestClient(master.url);
  const api = new ScrapydClient(master.url, admin);
  const bearer = adminTokenFor(master.url)!;
  const egg = await buildEgg('demo');

  // Upload: a raw egg with the version in the query, then a multipart form with a version field.
  const raw = await request(`${master.url}/api/v1/projects/demo/versions?version=1.0`, {
    method: 'POST',
    bearer,
    body: egg,
    headers: { 'content-type': 'application/octet-stream' },
  });
  assert.equal(raw.status, 201, raw.text);
  assert.deepEqual(raw.json, { project: 'demo', version: '1_0', spiders: DEMO_SPIDERS });
  const boundary = 'uidataboundary';
  const form = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="version"\r\n\r\n2.0\r\n`),
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="egg"; filename="demo.egg"\r\n\r\n`),
    egg,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  const multipart = await request(`${master.url}/api/v1/projects/demo/versions`, {
    method: 'POST',
    bearer,
    body: form,
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  });
  assert.equal(multipart.status, 201, multipart.text);
  const noEgg = await request(`${master.url}/api/v1/projects/demo/versions?version=3`, { method: 'POST', bearer });
  assert.deepEqual([noEgg.status, (noEgg.json.error as { code: string }).code], [400, 'BAD_REQUEST']);
  const listed = (await rest.get('/api/v1/projects')) as { projects: { name: string; versions: { name: string }[] }[] };
  assert.deepEqual(
    listed.projects.map((p) => [p.name, p.versions.map((v) => v.name)]),
    [['demo', ['1_0', '2_0']]],
  );
  assert.deepEqual((await rest.get('/api/v1/projects/demo')).spiders, DEMO_SPIDERS);
  assert.equal((await rest.call('GET', '/api/v1/projects/nope')).status, 404);

  // A real crawl, then its log: the end first, then a range from the start, a search, a download with Range.
  await rest.ok('POST', '/api/v1/jobs', { project: 'demo', spider: 'quick', jobId: 'ui-1' });
  await waitFinished(api, 'ui-1');
  const tail = (await rest.get('/api/v1/jobs/ui-1/log?length=200')) as Record<string, number | string | boolean>;
  const size = tail.size as number;
  assert.ok(size > 200, `a log of ${size} bytes`);
  assert.deepEqual([tail.end, tail.growing], [size, false]);
  assert.ok((tail.start as number) >= size - 200);
  const whole = (await api.raw('GET', '/logs/demo/quick/ui-1.log')).text;
  assert.equal(
    tail.text,
    Buffer.from(whole)
      .subarray(tail.start as number)
      .toString(),
  );
  const head = await rest.get('/api/v1/jobs/ui-1/log?offset=0&length=10&project=demo');
  assert.deepEqual([head.start, head.end, head.text], [0, 10, whole.slice(0, 10)]);
  const found = await rest.get(`/api/v1/jobs/ui-1/log/search?q=${encodeURIComponent('Spider opened')}`);
  const matches = found.matches as { offset: number; line: string }[];
  assert.ok(matches.length >= 1 && found.next === null, JSON.stringify(found));
  assert.match(matches[0]!.line, /Spider opened/);
  const back = await rest.get(`/api/v1/jobs/ui-1/log/search?q=INFO&direction=backward&limit=2&from=${size}`);
  assert.equal((back.matches as unknown[]).length, 2);
  assert.ok(typeof back.next === 'number' && back.next < size);
  const ranged = await request(`${master.url}/api/v1/jobs/ui-1/log/download`, {
    bearer,
    headers: { range: 'bytes=0-9' },
  });
  assert.deepEqual(
    [ranged.status, ranged.headers.get('content-range'), ranged.text],
    [206, `bytes 0-9/${size}`, whole.slice(0, 10)],
  );
  const download = await request(`${master.url}/api/v1/jobs/ui-1/log/download`, { bearer });
  assert.equal(download.status, 200);
  assert.match(download.headers.get('content-disposition') ?? '', /^attachment; filename="ui-1\.log"/);
  assert.equal(download.text, whole);
  for (const bad of [
    'log?length=0',
    'log?length=2000000',
    'log?offset=x',
    'log/search',
    'log/search?q=a&direction=up',
  ]) {
    const r = await rest.call('GET', `/api/v1/jobs/ui-1/${bad}`);
    assert.deepEqual([r.status, (r.json.error as { code: string }).code], [400, 'BAD_REQUEST'], bad);
  }

  // The overview in the viewer's zone, and the job list by time.
  const overview = await rest.get('/api/v1/overview?tz=Europe/Paris');
  const jobs = overview.jobs as Record<string, number>;
  assert.deepEqual([jobs.finishedToday, jobs.failedToday, jobs.pending, jobs.running], [1, 0, 0, 0]);
  assert.deepEqual((overview.nodes as Record<string, number>).online, 1);
  const badZone = await rest.call('GET', '/api/v1/overview?tz=Mars/Olympus');
  assert.deepEqual([badZone.status, (badZone.json.error as { code: string }).code], [400, 'BAD_REQUEST']);
  const hour = Date.now() - 3_600_000;
  assert.deepEqual(
    ((await rest.get(`/api/v1/jobs?time=ended&since=${hour}`)).jobs as { id: string }[]).map((j) => j.id),
    ['ui-1'],
  );
  assert.deepEqual((await rest.get(`/api/v1/jobs?time=ended&until=${hour}`)).jobs, []);

  // A running crawl's log grows: a range says so, and a search finds its newest line from the end.
  await rest.ok('POST', '/api/v1/jobs', { project: 'demo', spider: 'slow', jobId: 'ui-2', args: { seconds: '60' } });
  const growing = await waitFor(
    async () => {
      const r = await rest.get('/api/v1/jobs/ui-2/log?offset=-4096');
      return typeof r.text === 'string' && r.text.includes('SLOW_TICK') ? r : undefined;
    },
    { what: 'the running crawl to log a tick', timeoutMs: 60_000 },
  );
  assert.equal(growing.growing, true);
  const newest = await rest.get('/api/v1/jobs/ui-2/log/search?q=SLOW_TICK&direction=backward&limit=1');
  assert.match((newest.matches as { line: string }[])[0]!.line, /SLOW_TICK \d+/);
  await rest.ok('POST', '/api/v1/jobs/ui-2/cancel', { project: 'demo', signal: 'KILL' });
  await waitFinished(api, 'ui-2');

  // A reader of another project: the job is unknown, no project is listed, node figures are not shown.
  const created = await rest.ok('POST', '/api/v1/tokens', {
    name: 'other-reader',
    role: 'viewer',
    projects: ['other'],
    serviceAccount: true,
  });
  const other = new RestClient(master.url, { adminToken: (created as { secret: string }).secret });
  for (const path of ['log', 'log/search?q=INFO', 'log/download']) {
    assert.equal((await other.call('GET', `/api/v1/jobs/ui-1/${path}`)).status, 404, path);
  }
  assert.deepEqual(await other.get('/api/v1/projects'), { projects: [] });
  const scoped = await other.get('/api/v1/overview');
  assert.deepEqual([scoped.nodes, (scoped.jobs as Record<string, number>).finishedToday], [null, 0]);

  // Versions go one by one; the last one takes the project with it.
  assert.deepEqual(await rest.ok('DELETE', '/api/v1/projects/demo/versions/1.0'), {
    project: 'demo',
    version: '1.0',
    projectGone: false,
  });
  assert.equal((await rest.ok('DELETE', '/api/v1/projects/demo/versions/2.0')).projectGone, true);
  assert.equal((await rest.call('DELETE', '/api/v1/projects/demo/versions/2.0')).status, 404);
});
