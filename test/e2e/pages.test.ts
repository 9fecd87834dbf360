/**
 * The HTML surface clients scrape (docs/scrapyd-api.md §4, §9): `/` for health checks, `/jobs` for ScrapydWeb's job regexes,
 * `/logs/` directory listings, and the file semantics Gerapy and ScrapydWeb rely on.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ScrapydClient } from '../helpers/clients.js';
import { deploy, schedule, waitFinished, waitRunning } from '../helpers/jobs.js';
import { startMaster } from '../helpers/processes.js';

// ScrapydWeb's /jobs row pattern (1.5.1+, whitespace tolerant) and its listing row pattern.
const JOB_ROW =
  /<tr>\s*<td>(?<project>.*?)<\/td>\s*<td>(?<spider>.*?)<\/td>\s*<td>(?<job>.*?)<\/td>\s*<td>(?<pid>.*?)<\/td>\s*<td>(?<start>.*?)<\/td>\s*<td>(?<runtime>.*?)<\/td>\s*<td>(?<finish>.*?)<\/td>\s*<td>(?<log>.*?)<\/td>\s*<td>(?<items>.*?)<\/td>/gs;
const LISTING_ROW =
  /<tr class="(odd|even)">\s*<td><a href="(?<href>.*?)">(?<name>.*?)<\/a><\/td>\s*<td>(?<size>.*?)<\/td>/g;

void test('/, /jobs and /logs/ are what ScrapydWeb and Gerapy parse', async (t) => {
  const master = await startMaster(t, { env: { SCRAPYARD_MAX_PROC: '1' } });
  const api = new ScrapydClient(master.url);
  assert.match((await api.raw('GET', '/')).text, /No Scrapy projects yet\./);
  await deploy(api);
  const home = await api.raw('GET', '/', { headers: { 'x-forwarded-prefix': '/scrapyd' } });
  assert.equal(home.status, 200);
  assert.match(home.headers.get('content-type')!, /^text\/html/);
  assert.match(home.text, /href="\/scrapyd\/jobs"/);
  assert.match(home.text, /href="\/scrapyd\/logs\/"/);
  assert.match(home.text, /<li>demo<\/li>/);

  const done = await waitFinished(api, await schedule(api, { project: 'demo', spider: 'quick', jobid: 'finished-1' }));
  const running = await schedule(api, { project: 'demo', spider: 'slow', jobid: 'running-1' });
  await waitRunning(api, running);
  await schedule(api, { project: 'demo', spider: 'quick', jobid: 'pending-1' });

  const jobs = await api.raw('GET', '/jobs');
  assert.match(jobs.text, /<body><h1>Jobs<\/h1>/);
  const rows = [...jobs.text.replace(/<thead>.*?<\/thead>/s, '').matchAll(JOB_ROW)].map((m) => m.groups!);
  const byId = Object.fromEntries(rows.map((r) => [r.job, r]));
  assert.equal(byId['pending-1']!.start, '');
  assert.match(byId['running-1']!.pid!, /^\d+$/);
  assert.equal(byId['running-1']!.finish, '');
  assert.match(byId['finished-1']!.start!, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
  assert.match(byId['finished-1']!.finish!, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
  assert.match(byId['finished-1']!.log!, new RegExp(`href="/logs/demo/quick/finished-1.log"`));
  assert.equal((await api.raw('POST', '/jobs')).status, 405);

  const listing = await api.raw('GET', '/logs/demo/quick/');
  assert.match(listing.text, /<title>Directory listing for \/logs\/demo\/quick\/<\/title>/);
  const entries = [...listing.text.matchAll(LISTING_ROW)].map((m) => m.groups!.name);
  assert.deepEqual(entries, ['finished-1.log']);
  const redirect = await fetch(`${master.url}/logs/demo`, { redirect: 'manual' });
  assert.equal(redirect.status, 302);
  assert.equal(redirect.headers.get('location'), '/logs/demo/');
  assert.equal((await api.raw('GET', '/logs/demo/quick/nope.log')).status, 404);
  assert.equal((await api.raw('GET', '/logs/%2e%2e/%2e%2e/etc/passwd')).status, 404);

  const size = Number((await api.raw('HEAD', done.log_url!)).headers.get('content-length'));
  const tail = await api.raw('GET', done.log_url!, { headers: { range: 'bytes=-1000' } });
  assert.equal(tail.status, 206);
  assert.equal(tail.headers.get('content-range'), `bytes ${size - 1000}-${size - 1}/${size}`);
  const bad = await api.raw('GET', done.log_url!, { headers: { range: `bytes=${size + 10}-` } });
  assert.equal(bad.status, 416);
  ScrapydClient.ok(await api.post('cancel.json', { project: 'demo', job: running, signal: 'KILL' }));
});
