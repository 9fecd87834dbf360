/**
 * Schedules against a real master and embedded agent: managed through the REST API and the CLI, firing on time at
 * seconds granularity into real crawls, each overlap policy, "run now", and kill -9 of the master across fires
 * (backfill neither misses nor doubles a fire; skip records the misfire). Bad input is refused with a clear 4xx
 * and nothing stored.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { runCli } from '../helpers/agents.js';
import { ScrapydClient } from '../helpers/clients.js';
import { RestClient } from '../helpers/http.js';
import { deploy, schedule, waitFinished, waitRunning } from '../helpers/jobs.js';
import { queryMaster } from '../helpers/master-db.js';
import { startMaster, tempDir } from '../helpers/processes.js';
import { waitFor } from '../helpers/wait.js';

interface Fire {
  scheduledAt: number;
  firedAt: number;
  trigger: string;
  status: string;
  reasonCode: string | null;
  reason: string | null;
  jobId: string | null;
}
interface Schedule {
  id: string;
  name: string | null;
  enabled: boolean;
  overlap: string;
  cron: string | null;
  nextFireAt: number | null;
  lastFire: Fire | null;
  [k: string]: unknown;
}

const fires = async (rest: RestClient, id: string) =>
  ((await rest.get(`/api/v1/schedules/${id}/fires?limit=1000`)).fires as Fire[]).reverse();

void test('schedules through the REST API and the CLI; bad input is refused and nothing is stored', async (t) => {
  const master = await startMaster(t);
  const api = new ScrapydClient(master.url);
  const rest = new RestClient(master.url);
  await deploy(api, 'demo', '1.0');

  // Preview an expression before saving it: both DST changes of Europe/Berlin.
  const preview = await rest.ok('POST', '/api/v1/schedules/preview', {
    cron: '30 2 * * *',
    timezone: 'Europe/Berlin',
    after: '2026-03-28T12:00:00Z',
    count: 2,
  });
  assert.deepEqual(
    (preview.fires as { local: string }[]).map((f) => f.local),
    ['2026-03-29T03:00:00+02:00', '2026-03-30T02:30:00+02:00'],
  );
  assert.equal(preview.description, 'minute 30, hour 2, day-of-month *, month *, day-of-week *');
  const back = await rest.ok('POST', '/api/v1/schedules/preview', {
    cron: '30 2 * * *',
    timezone: 'Europe/Berlin',
    after: '2026-10-24T12:00:00Z',
    count: 2,
  });
  assert.deepEqual(
    (back.fires as { at: number }[]).map((f) => new Date(f.at).toISOString()),
    ['2026-10-25T00:30:00.000Z', '2026-10-26T01:30:00.000Z'],
  );

  // Bad input: a clear 4xx with its code, and nothing stored.
  const refused = async (method: string, path: string, body: unknown, status: number, code: string, msg: RegExp) => {
    const r = await rest.call(method, path, body);
    assert.equal(r.status, status, r.text);
    const err = r.json.error as { code: string; message: string };
    assert.deepEqual([err.code, msg.test(err.message)], [code, true], err.message);
  };
  const good = { project: 'demo', spider: 'quick', cron: '0 0 1 1 *' };
  await refused(
    'POST',
    '/api/v1/schedules',
    { ...good, cron: '0 0 32 1 *' },
    400,
    'BAD_REQUEST',
    /day-of-month \(field 3 of 5\) can't be '32'/,
  );
  await refused('POST', '/api/v1/schedules', { ...good, timezone: 'Europe/Atlantis' }, 400, 'BAD_REQUEST', /IANA/);
  await refused(
    'POST',
    '/api/v1/schedules',
    { ...good, cron: null, intervalSeconds: -5 },
    400,
    'BAD_REQUEST',
    /intervalSeconds/,
  );
  await refused('POST', '/api/v1/schedules', { ...good, backfillMax: -1 }, 400, 'BAD_REQUEST', /backfillMax/);
  await refused('POST', '/api/v1/schedules', { ...good, spider: 'ghost' }, 404, 'SPIDER_NOT_FOUND', /'ghost'/);
  await refused('POST', '/api/v1/schedules', { ...good, project: 'nope' }, 404, 'PROJECT_NOT_FOUND', /'nope'/);
  await refused('POST', '/api/v1/schedules', { ...good, version: '9.9' }, 404, 'VERSION_NOT_FOUND', /9\.9/);
  await refused('POST', '/api/v1/schedules', { ...good, args: { _job: 'x' } }, 400, 'BAD_REQUEST', /reserved/);
  await refused('POST', '/api/v1/schedules', '{"project":', 400, 'BAD_REQUEST', /JSON|body/);
  await refused('GET', '/api/v1/schedules/sch-nothing', undefined, 404, 'NOT_FOUND', /sch-nothing/);
  const anonymous = new RestClient(master.url, { adminToken: null });
  assert.equal((await anonymous.call('POST', '/api/v1/schedules', good)).status, 401);
  assert.deepEqual((await rest.get('/api/v1/schedules')).schedules, []);

  // The CLI: create, list, next fires.
  const cli = (...args: string[]) => runCli('master', ['schedule', ...args, '--url', master.url]);
  const created = await cli(
    'create',
    '--name',
    'new-year',
    '--project',
    'demo',
    '--spider',
    'quick',
    '--cron',
    '0 0 1 1 *',
    '--timezone',
    'Europe/Berlin',
    '--arg',
    'arg=from schedule',
    '--setting',
    'DEMO_SETTING=a=b',
    '--json',
  );
  assert.equal(created.code, 0, created.all);
  const sched = JSON.parse(created.stdout) as Schedule;
  assert.deepEqual([sched.name, sched.enabled, sched.overlap, sched.cron], ['new-year', true, 'forbid', '0 0 1 1 *']);
  assert.equal(new Date(sched.nextFireAt!).toISOString().slice(5), '12-31T23:00:00.000Z');
  const listed = await cli('list');
  assert.equal(listed.code, 0, listed.all);
  assert.match(
    listed.stdout,
    new RegExp(`^${sched.id}\\s+new-year\\s+demo/quick\\s+0 0 1 1 \\*\\s+Europe/Berlin\\s+enabled\\s+forbid`, 'm'),
  );
  const next = await cli('next', sched.id, '--count', '3', '--json');
  assert.equal(next.code, 0, next.all);
  const nextFires = (JSON.parse(next.stdout) as { fires: { local: string }[] }).fires.map((f) => f.local);
  assert.equal(nextFires.length, 3);
  for (const local of nextFires) assert.match(local, /^\d{4}-01-01T00:00:00\+01:00$/);
  const dup = await cli('create', '--name', 'new-year', '--project', 'demo', '--spider', 'quick', '--every', '60');
  assert.deepEqual([dup.code, /CONFLICT: a schedule named 'new-year' exists/.test(dup.stderr)], [1, true], dup.all);
  const badFlag = await cli('create', '--project', 'demo', '--spider', 'quick', '--every', 'often');
  assert.deepEqual([badFlag.code, /--every: not a duration/.test(badFlag.stderr)], [2, true], badFlag.all);

  // Update: a valid change is applied; an invalid one is refused and changes nothing.
  const updated = (await rest.ok('PATCH', `/api/v1/schedules/${sched.id}`, {
    overlap: 'queue',
    priority: 3,
  })) as Schedule;
  assert.deepEqual([updated.overlap, updated.priority], ['queue', 3]);
  await refused('PATCH', `/api/v1/schedules/${sched.id}`, { cron: '* * *' }, 400, 'BAD_REQUEST', /invalid/);
  await refused('PATCH', `/api/v1/schedules/${sched.id}`, { overlap: 'never' }, 400, 'BAD_REQUEST', /overlap/);
  assert.deepEqual(
    [(await rest.get(`/api/v1/schedules/${sched.id}`)).cron, (await rest.get(`/api/v1/schedules/${sched.id}`)).overlap],
    ['0 0 1 1 *', 'queue'],
  );

  // Pause, then "run now": a manual fire runs even while paused, with the schedule's arguments and settings.
  const paused = await cli('pause', sched.id);
  assert.equal(paused.code, 0, paused.all);
  assert.equal((await rest.get(`/api/v1/schedules/${sched.id}`)).enabled, false);
  const ran = await cli('run', sched.id, '--json');
  assert.equal(ran.code, 0, ran.all);
  const manual = JSON.parse(ran.stdout) as Fire;
  assert.deepEqual([manual.trigger, manual.status], ['manual', 'queued']);
  const done = await waitFinished(api, manual.jobId!);
  assert.equal(done.outcome, 'succeeded');
  const items = (await api.raw('GET', done.items_url!)).text.trim().split('\n');
  assert.deepEqual(JSON.parse(items[0]!), { n: 0, arg: 'from schedule', setting: 'a=b', job: manual.jobId });
  assert.equal((await rest.get(`/api/v1/jobs/${manual.jobId}?project=demo`)).scheduleId, sched.id);
  const history = await cli('fires', sched.id);
  assert.equal(history.code, 0, history.all);
  assert.match(history.stdout, new RegExp(`manual\\s+queued\\s+${manual.jobId}`));
  assert.equal(((await rest.get(`/api/v1/schedules/${sched.id}`)).lastFire as Fire).jobId, manual.jobId);

  const deleted = await cli('delete', sched.id);
  assert.equal(deleted.code, 0, deleted.all);
  assert.equal((await rest.call('GET', `/api/v1/schedules/${sched.id}`)).status, 404);
  assert.equal((await cli('delete', sched.id)).code, 1);
  // A job the schedule made stays.
  assert.equal((await waitFinished(api, manual.jobId!)).outcome, 'succeeded');
});

void test('fires on time into real crawls; overlap forbid skips, replace cancels, queue waits for the previous job', async (t) => {
  const master = await startMaster(t, { env: { SCRAPYARD_MAX_PROC: '6' } });
  const api = new ScrapydClient(master.url);
  const rest = new RestClient(master.url);
  await deploy(api, 'demo', '1.0');
  const create = async (body: object) =>
    (await rest.ok('POST', '/api/v1/schedules', { project: 'demo', misfireGraceSeconds: 30, ...body })) as Schedule;

  const onTime = await create({ spider: 'quick', cron: '*/2 * * * * *', overlap: 'allow' });
  const forbid = await create({ spider: 'slow', args: { seconds: '60' }, cron: '*/2 * * * * *', overlap: 'forbid' });
  const replace = await create({ spider: 'slow', args: { seconds: '60' }, intervalSeconds: 3, overlap: 'replace' });
  const queue = await create({ spider: 'slow', args: { seconds: '4' }, intervalSeconds: 2, overlap: 'queue' });

  // On time: consecutive fires every 2 s, each with its job queued within a second of its scheduled time.
  const timely = await waitFor(
    async () => {
      const f = (await fires(rest, onTime.id)).filter((x) => x.status === 'queued');
      return f.length >= 3 && f;
    },
    { what: 'three fires of the every-2-s schedule', timeoutMs: 60_000 },
  );
  await rest.ok('POST', `/api/v1/schedules/${onTime.id}/pause`);
  for (const f of timely) {
    assert.equal(f.scheduledAt % 2000, 0);
    const [job] = await queryMaster(
      master.dataDir,
      'SELECT created_at, schedule_id FROM jobs WHERE job_id = ?',
      f.jobId,
    );
    assert.equal(job!.schedule_id, onTime.id);
    const delay = Number(job!.created_at) - f.scheduledAt;
    assert.ok(delay >= 0 && delay < 1000, `job queued ${delay} ms after its scheduled time`);
  }
  for (const f of timely) assert.equal((await waitFinished(api, f.jobId!)).outcome, 'succeeded');

  // forbid: the first job runs; the fires during it are skipped with the reason.
  const forbidden = await waitFor(
    async () => {
      const f = await fires(rest, forbid.id);
      return f.length >= 3 && f;
    },
    { what: 'three fires of the forbid schedule', timeoutMs: 60_000 },
  );
  assert.equal(forbidden[0]!.status, 'queued');
  for (const f of forbidden.slice(1)) {
    assert.deepEqual([f.status, f.reasonCode, f.jobId], ['skipped', 'overlap', null]);
    assert.match(
      f.reason!,
      new RegExp(
        `job ${forbidden[0]!.jobId} \\((pending|running)\\) of this schedule is still active; overlap policy forbid`,
      ),
    );
  }
  await rest.ok('DELETE', `/api/v1/schedules/${forbid.id}`);
  await api.post('cancel.json', { project: 'demo', job: forbidden[0]!.jobId! });

  // replace: the second fire cancels the first job, which ends cancelled.
  const replaced = await waitFor(
    async () => {
      const f = (await fires(rest, replace.id)).filter((x) => x.status === 'queued');
      return f.length >= 2 && f;
    },
    { what: 'two fires of the replace schedule', timeoutMs: 60_000 },
  );
  await rest.ok('DELETE', `/api/v1/schedules/${replace.id}`);
  assert.match(
    replaced[1]!.reason!,
    new RegExp(`replaced job ${replaced[0]!.jobId} \\((pending|running)\\) \\(cancelled\\)`),
  );
  const firstReplaced = await waitFor(
    async () => {
      const r = await rest.call('GET', `/api/v1/jobs/${replaced[0]!.jobId}?project=demo`);
      // A pending job cancelled is removed (Scrapyd); a running one finishes cancelled.
      return r.status === 404 ? 'removed' : r.json.state === 'finished' ? String(r.json.outcome) : false;
    },
    { what: 'the replaced job to end', timeoutMs: 60_000 },
  );
  assert.ok(['removed', 'cancelled'].includes(firstReplaced), firstReplaced);
  const leftovers = await queryMaster(
    master.dataDir,
    "SELECT job_id FROM jobs WHERE schedule_id = ? AND state IN ('pending', 'running')",
    replace.id,
  );
  for (const j of leftovers) await api.post('cancel.json', { project: 'demo', job: String(j.job_id) });

  // queue: one fire waits behind the running job (later ones are skipped), then gets its job when it ends.
  const queued = await waitFor(
    async () => {
      const f = await fires(rest, queue.id);
      const waited = f.find((x) => x.reason?.includes('waited') && x.status === 'queued');
      return waited && f;
    },
    { what: 'a waiting fire of the queue schedule to get its job', timeoutMs: 90_000 },
  );
  await rest.ok('DELETE', `/api/v1/schedules/${queue.id}`);
  assert.equal(queued[0]!.status, 'queued');
  const waitedFire = queued.find((x) => x.reason?.includes('waited'))!;
  await waitFinished(api, queued[0]!.jobId!);
  const firstJob = await rest.get(`/api/v1/jobs/${queued[0]!.jobId}?project=demo`);
  const secondJob = await rest.get(`/api/v1/jobs/${waitedFire.jobId}?project=demo`);
  // The waiting fire's job was created only once the first job had ended.
  assert.ok(Number(secondJob.createdAt) >= Number(firstJob.endedAt), JSON.stringify([firstJob, secondJob]));
  const between = queued.slice(1, queued.indexOf(waitedFire));
  for (const f of between) assert.deepEqual([f.status, f.reasonCode], ['skipped', 'overlap']);
  assert.equal((await waitFinished(api, waitedFire.jobId!)).outcome, 'succeeded');
});

void test('kill -9 of the master across fires: backfill neither misses nor doubles a fire; skip records the misfire', async (t) => {
  const dataDir = tempDir(t);
  // One slot held by a long crawl: the scheduled jobs stay pending, so only the ledger and the queue are at work.
  const env = { SCRAPYARD_MAX_PROC: '1' };
  const first = await startMaster(t, { dataDir, env });
  let api = new ScrapydClient(first.url);
  let rest = new RestClient(first.url);
  await deploy(api, 'demo', '1.0');
  const blocker = await schedule(api, { project: 'demo', spider: 'slow', seconds: '300', jobid: 'blocker' });
  await waitRunning(api, blocker);
  const create = async (body: object) =>
    (await rest.ok('POST', '/api/v1/schedules', {
      project: 'demo',
      spider: 'quick',
      intervalSeconds: 2,
      overlap: 'allow',
      misfireGraceSeconds: 1,
      ...body,
    })) as Schedule;
  const backfill = await create({ misfire: 'backfill', backfillWindowSeconds: 600, backfillMax: 100 });
  const skip = await create({ misfire: 'skip' });
  await waitFor(async () => (await fires(rest, backfill.id)).length >= 2, { what: 'two fires before the crash' });

  await first.kill9();
  const killedAt = Date.now();
  // The master stays down for several fires (wall-clock time passing is what this test is about).
  await sleep(7_000);
  const second = await startMaster(t, { dataDir, env });
  api = new ScrapydClient(second.url);
  rest = new RestClient(second.url);
  const restartedAt = Date.now();
  await waitFor(async () => (await fires(rest, backfill.id)).at(-1)!.scheduledAt > restartedAt + 2_000, {
    what: 'fires after the restart',
    timeoutMs: 60_000,
  });
  await rest.ok('POST', `/api/v1/schedules/${backfill.id}/pause`);
  await rest.ok('POST', `/api/v1/schedules/${skip.id}/pause`);
  // A fire under way when the pause came completes (claimed → queued) before the ledger is read.
  const all = await waitFor(
    async () => {
      const f = await fires(rest, backfill.id);
      return f.every((x) => x.status !== 'claimed') && f;
    },
    { what: 'the last fire to settle' },
  );

  // No miss: the ledger holds every scheduled time from the first to the last, 2 s apart, each once.
  const times = all.filter((f) => f.trigger !== 'manual').map((f) => f.scheduledAt);
  assert.deepEqual(
    times,
    times.map((_, i) => times[0]! + i * 2_000),
    'every fire, in order, exactly once',
  );
  assert.ok(
    times.some((x) => x > killedAt + 2_000 && x < restartedAt - 2_000),
    'the ledger covers the downtime',
  );
  // No double: every fire made one job, and the schedule has no other job.
  assert.ok(
    all.every((f) => f.status === 'queued' && f.jobId),
    JSON.stringify(all.filter((f) => f.status !== 'queued')),
  );
  const backfilled = all.filter((f) => f.trigger === 'backfill');
  assert.ok(backfilled.length >= 2, `fires of the downtime were backfilled: ${backfilled.length}`);
  assert.match(backfilled[0]!.reason!, /fell while the master was down or behind; misfire policy backfill runs/);
  const jobs = await queryMaster(dataDir, 'SELECT job_id FROM jobs WHERE schedule_id = ?', backfill.id);
  assert.deepEqual(jobs.map((j) => String(j.job_id)).sort(), all.map((f) => f.jobId!).sort());

  // skip: one skipped fire says how many were missed; no job for any of them.
  const skipped = await waitFor(
    async () => {
      const f = await fires(rest, skip.id);
      return f.every((x) => x.status !== 'claimed') && f;
    },
    { what: 'the skip schedule’s last fire to settle' },
  );
  const misfires = skipped.filter((f) => f.reasonCode === 'misfire');
  assert.equal(misfires.length, 1, JSON.stringify(skipped));
  assert.equal(misfires[0]!.status, 'skipped');
  assert.match(
    misfires[0]!.reason!,
    /^\d+ fires? from .* fell while the master was down or behind; misfire policy skip$/,
  );
  const skipJobs = await queryMaster(dataDir, 'SELECT job_id FROM jobs WHERE schedule_id = ?', skip.id);
  assert.deepEqual(
    skipJobs.map((j) => String(j.job_id)).sort(),
    skipped
      .filter((f) => f.status === 'queued')
      .map((f) => f.jobId!)
      .sort(),
  );
  const gap = skipped.filter((f) => f.scheduledAt > killedAt + 2_000 && f.scheduledAt < misfires[0]!.scheduledAt);
  assert.deepEqual(gap, [], 'the skipped fires left no rows of their own');

  await api.post('cancel.json', { project: 'demo', job: blocker });
  await waitFinished(api, blocker);
});
