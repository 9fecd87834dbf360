/**
 * Run limits kill real crawls: a crawl past its maximum run time ends `timed_out` (a stubborn one too, by SIGKILL
 * after the grace), a crawl that makes no progress ends `stalled`; limits come from the project, the spider, the
 * job or its schedule (the most specific wins) and each job shows the ones in force. Bad limits are refused.
 *
 * What is asserted is what the master guarantees (the outcome, the reason, the crawl's process gone), not what the
 * crawl logs on its way out: a crawl stopped before Scrapy installed its signal handlers dies of the signal without
 * a word. The sweep's decisions and signals are unit-tested (packages/master/src/jobs/run-limits.test.ts).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ScrapydClient } from '../helpers/clients.js';
import { RestClient } from '../helpers/http.js';
import { deploy, listJobs, schedule, waitFinished, waitLog, waitRunning } from '../helpers/jobs.js';
import { crawlPidsIn, startMaster } from '../helpers/processes.js';
import { waitFor } from '../helpers/wait.js';

/** The run limits of a job's effective policy. */
const limitsOf = (p: JobInfo['policy']) => ({
  maxRunSeconds: p.maxRunSeconds,
  stallSeconds: p.stallSeconds,
  killGraceSeconds: p.killGraceSeconds,
});

interface JobInfo {
  id: string;
  outcome: string | null;
  reason: string | null;
  policy: { maxRunSeconds: number | null; stallSeconds: number | null; killGraceSeconds: number };
  startedAt: number | null;
  endedAt: number | null;
  pid: number | null;
}

void test('maximum run time and stall detection stop real crawls; the most specific policy wins', async (t) => {
  const master = await startMaster(t, { env: { SCRAPYARD_MAX_PROC: '4' } });
  const api = new ScrapydClient(master.url);
  const rest = new RestClient(master.url);
  await deploy(api, 'demo', '1.0');
  const job = async (id: string) => (await rest.get(`/api/v1/jobs/${id}?project=demo`)) as unknown as JobInfo;
  /** A finished job's crawl process is gone (its pid is no crawl of this master's data dir any more). */
  const assertGone = (info: JobInfo) => {
    assert.ok(info.pid !== null, `${info.id} had a process: ${JSON.stringify(info)}`);
    assert.ok(!crawlPidsIn(master.dataDir).includes(info.pid), `${info.id}'s crawl (pid ${info.pid}) is gone`);
  };

  // Bad limits: refused, nothing stored.
  for (const bad of [{ maxRunSeconds: -1 }, { stallSeconds: 0 }, { killGraceSeconds: 1.5 }, { maxRunSeconds: '10' }]) {
    const r = await rest.call('PUT', '/api/v1/projects/demo/policy', bad);
    assert.equal(r.status, 400, r.text);
    assert.equal((r.json.error as { code: string }).code, 'BAD_REQUEST');
  }
  assert.equal((await rest.get('/api/v1/projects/demo/policy')).maxRunSeconds, null);
  for (const policy of [{ retries: -2 }, { colour: 'red' }, { retryOn: ['succeeded'] }]) {
    const badJob = await rest.call('POST', '/api/v1/jobs', { project: 'demo', spider: 'quick', policy });
    assert.equal(badJob.status, 400, badJob.text);
  }

  // Project: stall after 4 s; spider slow: at most 3 s of run time.
  await rest.ok('PUT', '/api/v1/projects/demo/policy', { stallSeconds: 4, killGraceSeconds: 20 });
  await rest.ok('PUT', '/api/v1/projects/demo/spiders/slow/policy', { maxRunSeconds: 3 });

  // The slow crawl logs a tick every half second (never stalls) and is stopped politely at 3 s.
  const slow = await schedule(api, { project: 'demo', spider: 'slow', seconds: '60', jobid: 'slow-limited' });
  assert.deepEqual(limitsOf((await job(slow)).policy), { maxRunSeconds: 3, stallSeconds: 4, killGraceSeconds: 20 });
  // A stubborn crawl with its own grace ignores the polite signal: SIGKILL after its 3 s grace. Its spider gets
  // a maximum run time only once the crawl ignores signals (a limit that came first would stop it before that).
  const stubborn = await rest.ok('POST', '/api/v1/jobs', {
    project: 'demo',
    spider: 'stubborn',
    jobId: 'stubborn-limited',
    policy: { killGraceSeconds: 3, stallSeconds: 600 },
  });
  assert.deepEqual(limitsOf(stubborn.policy as JobInfo['policy']), {
    maxRunSeconds: null,
    stallSeconds: 600,
    killGraceSeconds: 3,
  });
  // A crawl that goes quiet: no log line, request or item after it opened.
  const silent = await schedule(api, { project: 'demo', spider: 'silent', seconds: '120', jobid: 'silent-one' });

  await waitLog(api, '/logs/demo/stubborn/stubborn-limited.log', /STUBBORN_IGNORING_SIGNALS/);
  const limitedAt = Date.now();
  await rest.ok('PUT', '/api/v1/projects/demo/spiders/stubborn/policy', { maxRunSeconds: 2 });

  const slowDone = await waitFinished(api, slow);
  assert.deepEqual([slowDone.outcome], ['timed_out']);
  const slowInfo = await job(slow);
  assert.match(slowInfo.reason!, /maximum run time of 3 s; stopped by the master/);
  const ran = slowInfo.endedAt! - slowInfo.startedAt!;
  // At its limit, and at the latest SIGKILLed after its 20 s grace (a sweep every second): not its 60 s.
  assert.ok(ran >= 3_000 && ran < 3_000 + 20_000 + 10_000, `ran ${ran} ms`);
  assertGone(slowInfo);

  const stubbornDone = await waitFinished(api, 'stubborn-limited');
  assert.equal(stubbornDone.outcome, 'timed_out');
  const stubbornInfo = await job('stubborn-limited');
  assert.match(stubbornInfo.reason!, /maximum run time of 2 s/);
  assertGone(stubbornInfo);
  // It ignored the polite signal (its handlers were in place before it had a limit): it ended only by the SIGKILL,
  // a grace after the stop, which came after its limit was set.
  assert.ok(
    stubbornInfo.endedAt! - limitedAt >= 3_000,
    `ended ${stubbornInfo.endedAt! - limitedAt} ms after its limit`,
  );
  const silentDone = await waitFinished(api, silent);
  assert.equal(silentDone.outcome, 'stalled');
  const silentInfo = await job(silent);
  assert.match(silentInfo.reason!, /no new log or items bytes, requests or items for 4 s; stopped by the master/);
  assert.ok(silentInfo.endedAt! - silentInfo.startedAt! < 60_000, 'stopped long before its 120 s');
  assertGone(silentInfo);

  // listjobs shows the outcomes as they are.
  const finished = (await listJobs(api)).finished as { id: string; outcome?: string }[];
  assert.deepEqual(
    ['slow-limited', 'stubborn-limited', 'silent-one'].map((id) => finished.find((j) => j.id === id)?.outcome),
    ['timed_out', 'timed_out', 'stalled'],
  );

  // A schedule's policy reaches its jobs and wins over the spider's.
  const sched = await rest.ok('POST', '/api/v1/schedules', {
    project: 'demo',
    spider: 'slow',
    args: { seconds: '60' },
    cron: '0 0 1 1 *',
    policy: { maxRunSeconds: 2 },
  });
  const badSchedule = await rest.call('POST', '/api/v1/schedules', {
    project: 'demo',
    spider: 'slow',
    cron: '0 0 1 1 *',
    policy: { maxRunSeconds: 0 },
  });
  assert.equal(badSchedule.status, 400, badSchedule.text);
  const fired = (await rest.ok('POST', `/api/v1/schedules/${String(sched.id)}/run`)).fire as { jobId: string };
  assert.deepEqual(limitsOf((await job(fired.jobId)).policy), {
    maxRunSeconds: 2,
    stallSeconds: 4,
    killGraceSeconds: 20,
  });
  assert.equal((await waitFinished(api, fired.jobId)).outcome, 'timed_out');
  const firedInfo = await job(fired.jobId);
  assert.match(firedInfo.reason!, /maximum run time of 2 s/);
  assertGone(firedInfo);
});

void test('a crawl that fails is retried with backoff; every attempt is kept with its outcome and log', async (t) => {
  const master = await startMaster(t, { env: { SCRAPYARD_MAX_PROC: '2' } });
  const api = new ScrapydClient(master.url);
  const rest = new RestClient(master.url);
  await deploy(api, 'demo', '1.0');
  for (const bad of [{ retryOn: ['cancelled'] }, { retryBackoffSeconds: -1 }, { retries: 101 }]) {
    const r = await rest.call('PUT', '/api/v1/projects/demo/spiders/crash/policy', bad);
    assert.equal(r.status, 400, r.text);
  }
  await rest.ok('PUT', '/api/v1/projects/demo/spiders/crash/policy', {
    retries: 2,
    retryOn: ['failed'],
    retryBackoffSeconds: 3,
    retryBackoffMaxSeconds: 60,
  });
  const id = await schedule(api, { project: 'demo', spider: 'crash', jobid: 'crash-retried' });
  // Between attempts the job waits, pending, and says why.
  const waiting = await waitFor(
    async () => {
      const j = await rest.get(`/api/v1/jobs/${id}?project=demo`);
      return j.state === 'pending' && j.attempt === 2 && j;
    },
    { what: 'the first retry to wait for its backoff', timeoutMs: 60_000 },
  );
  assert.match(String(waiting.pendingReason), /^retry waits for its backoff until /);
  const done = await waitFinished(api, id, 120_000);
  assert.equal(done.outcome, 'failed');
  const detail = await rest.get(`/api/v1/jobs/${id}?project=demo`);
  const attempts = detail.attempts as {
    attempt: number;
    outcome: string;
    reason: string;
    startedAt: number;
    endedAt: number;
  }[];
  assert.deepEqual(
    attempts.map((a) => [a.attempt, a.outcome]),
    [
      [1, 'failed'],
      [2, 'failed'],
    ],
  );
  assert.match(attempts[0]!.reason, /exited with code 1[\s\S]*CRASH_ON_PURPOSE[\s\S]*retry 1 of 2 in \d+ s/);
  assert.match(attempts[1]!.reason, /retry 2 of 2 in \d+ s/);
  assert.equal(detail.attempt, 3);
  // Exponential: about 3 s before the second attempt, about 6 s before the third (±20 %).
  assert.ok(attempts[1]!.startedAt - attempts[0]!.endedAt >= 2_400, JSON.stringify(attempts));
  assert.ok(Number(detail.startedAt) - attempts[1]!.endedAt >= 4_800, JSON.stringify(detail));
  // Each attempt's log is kept beside the last one's.
  for (const name of [`${id}.attempt-1.log`, `${id}.attempt-2.log`, `${id}.log`]) {
    const r = await api.raw('GET', `/logs/demo/crash/${name}`);
    assert.equal(r.status, 200, name);
  }
});

void test('a unique key refuses a second pending or running job with the same spider and arguments', async (t) => {
  const master = await startMaster(t, { env: { SCRAPYARD_MAX_PROC: '1' } });
  const api = new ScrapydClient(master.url);
  const rest = new RestClient(master.url);
  await deploy(api, 'demo', '1.0');
  const bad = await rest.call('PUT', '/api/v1/projects/demo/spiders/slow/policy', { uniqueArgs: [''] });
  assert.equal(bad.status, 400, bad.text);
  await rest.ok('PUT', '/api/v1/projects/demo/spiders/slow/policy', { uniqueArgs: ['category'] });

  const books = await schedule(api, { project: 'demo', spider: 'slow', seconds: '60', category: 'books', jobid: 'b1' });
  await waitRunning(api, books);
  // Scrapyd's API: an error naming the job that holds the key; nothing queued.
  const again = await api.post('schedule.json', { project: 'demo', spider: 'slow', seconds: '5', category: 'books' });
  assert.equal(again.status, 'error');
  assert.match(String(again.message), /^job b1 \(running\) already has this unique key \(spider slow, category\)/);
  // Other arguments make another key; a pending job holds its key too.
  const music = await schedule(api, { project: 'demo', spider: 'slow', seconds: '1', category: 'music', jobid: 'm1' });
  const rejected = await rest.call('POST', '/api/v1/jobs', {
    project: 'demo',
    spider: 'slow',
    args: { category: 'music' },
  });
  assert.deepEqual([rejected.status, (rejected.json.error as { code: string }).code], [409, 'DUPLICATE_JOB']);
  assert.match((rejected.json.error as { message: string }).message, /job m1 \(pending\)/);
  assert.deepEqual(
    (await listJobs(api)).pending.map((j) => j.id),
    [music],
  );
  // Once the holder has ended, the key is free again.
  await api.post('cancel.json', { project: 'demo', job: books, signal: 'KILL' });
  await waitFinished(api, books);
  await waitFinished(api, music);
  const next = await schedule(api, { project: 'demo', spider: 'slow', seconds: '1', category: 'books', jobid: 'b2' });
  assert.equal((await waitFinished(api, next)).outcome, 'succeeded');
});

void test('a start rate limit holds jobs beyond N starts per period, with the reason shown', async (t) => {
  const master = await startMaster(t, { env: { SCRAPYARD_MAX_PROC: '4' } });
  const api = new ScrapydClient(master.url);
  const rest = new RestClient(master.url);
  await deploy(api, 'demo', '1.0');
  for (const bad of [{ startRate: { count: 0, periodSeconds: 10 } }, { startRate: { count: 2 } }]) {
    const r = await rest.call('PUT', '/api/v1/projects/demo/spiders/quick/policy', bad);
    assert.equal(r.status, 400, r.text);
  }
  await rest.ok('PUT', '/api/v1/projects/demo/spiders/quick/policy', { startRate: { count: 2, periodSeconds: 6 } });
  const ids = ['r1', 'r2', 'r3'];
  for (const id of ids) await schedule(api, { project: 'demo', spider: 'quick', jobid: id });
  // Two start at once (the burst); the third waits for a token (one per 3 s), saying so, though slots are free.
  const held = await waitFor(
    async () => {
      const j = await rest.get('/api/v1/jobs/r3?project=demo');
      return j.state === 'pending' && typeof j.pendingReason === 'string' && j;
    },
    { what: 'r3 held by the start rate' },
  );
  assert.equal(held.pendingReason, 'spider quick is at its start rate limit of 2 per 6 s');
  for (const id of ids) assert.equal((await waitFinished(api, id)).outcome, 'succeeded');
  const started = await Promise.all(
    ids.map(async (id) => Number((await rest.get(`/api/v1/jobs/${id}?project=demo`)).startedAt)),
  );
  assert.ok(started[2]! - started[0]! >= 2_500, `third start ${started[2]! - started[0]!} ms after the first`);
});

void test('a timed-out crawl is retried; its attempt keeps its outcome and its Scrapy stats', async (t) => {
  const master = await startMaster(t);
  const api = new ScrapydClient(master.url);
  const rest = new RestClient(master.url);
  await deploy(api, 'demo', '1.0');
  const created = await rest.ok('POST', '/api/v1/jobs', {
    project: 'demo',
    spider: 'slow',
    jobId: 'slow-retried',
    args: { seconds: '60' },
    policy: { retries: 1, retryOn: ['timed_out'], retryBackoffSeconds: 1 },
  });
  assert.deepEqual(
    [(created.policy as { retries: number }).retries, (created.policy as { retryOn: string[] }).retryOn],
    [1, ['timed_out']],
  );
  // The limit comes once the crawl has scraped items (a crawl stopped before Scrapy is up has no stats to keep).
  await waitLog(api, '/logs/demo/slow/slow-retried.log', /SLOW_TICK 3\b/);
  await rest.ok('PUT', '/api/v1/projects/demo/spiders/slow/policy', { maxRunSeconds: 3 });
  assert.equal((await waitFinished(api, 'slow-retried', 120_000)).outcome, 'timed_out');
  const detail = await rest.get('/api/v1/jobs/slow-retried?project=demo');
  const [first] = detail.attempts as { outcome: string; stats: { items: number; finishReason: string | null } }[];
  assert.equal(detail.attempt, 2);
  assert.equal(first!.outcome, 'timed_out');
  assert.ok(first!.stats.items >= 2, JSON.stringify(first!.stats));
  assert.equal(first!.stats.finishReason, 'shutdown');
});
