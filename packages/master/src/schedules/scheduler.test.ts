/**
 * The scheduler against a real database (both stores) and the real job service, with a clock the test moves:
 * fires on time exactly once, misfire policies after a downtime, overlap policies, pause, run now, and the
 * completion of a fire a crash interrupted.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { pino } from 'pino';
import { CreateScheduleRequest, UpdateScheduleRequest } from '@scrapyard/protocol';
import { createJobsRepo } from '../db/repos/jobs.js';
import { createSchedulesRepo } from '../db/repos/schedules.js';
import { openTestDatabase, testEachStore, type Store } from '../db/stores.test-support.js';
import { DomainEvents } from '../events/domain-events.js';
import { JobService } from '../jobs/job-service.js';
import { LogSink } from '../jobs/log-sink.js';
import { AgentRegistry } from '../registry/registry.js';
import { parseOr400 } from '../services/api-error.js';
import { PolicyStore } from '../services/policy-store.js';
import { notFound } from '../services/scrapyd-error.js';
import { ScheduleService } from './schedule-service.js';
import { jitterOf, Scheduler } from './scheduler.js';

const T0 = Date.parse('2026-06-01T00:00:00Z');
const S = 1000;

interface Options {
  firesToKeep?: number;
  maxPending?: number;
  minIntervalSeconds?: number;
}

async function setup(t: TestContext, store: Store, o: Options = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'scheduler-'));
  const db = await openTestDatabase(t, store);
  const sink = new LogSink();
  const clock = { now: T0 };
  /** The projects, versions of p and spiders of p (a test removes one to see a fire fail). */
  const catalog = { projects: ['p'], versions: ['v1'], spiders: ['s'] };
  const now = () => clock.now;
  const logger = pino({ level: 'silent' });
  const events = new DomainEvents({ logger, now });
  const policies = new PolicyStore(db, 0);
  await policies.load();
  const jobsRepo = createJobsRepo(db);
  const repo = createSchedulesRepo(db);
  const jobs = new JobService({
    jobs: jobsRepo,
    registry: new AgentRegistry(events),
    policies,
    sink,
    files: { logsDir: join(dir, 'logs'), itemsDir: join(dir, 'items') },
    events,
    spiders: async (project, version) => {
      if (!catalog.projects.includes(project)) throw notFound.project(project);
      if (version !== undefined && !catalog.versions.includes(version)) throw notFound.version(version);
      return catalog.spiders;
    },
    projectExists: async (project) => catalog.projects.includes(project),
    finishedToKeep: 100,
    logger,
    now,
  });
  const schedulers: Scheduler[] = [];
  /** A master process: a scheduler and its service over the shared database (start() as at boot). */
  const boot = async () => {
    const scheduler = new Scheduler({
      repo,
      jobs,
      events,
      firesToKeep: o.firesToKeep ?? 1000,
      maxPending: o.maxPending ?? 100,
      logger,
      now,
    });
    schedulers.push(scheduler);
    await scheduler.start();
    await scheduler.idle();
    const service = new ScheduleService({
      repo,
      scheduler,
      jobs,
      maxSchedules: 3,
      maxParams: 10,
      minIntervalSeconds: o.minIntervalSeconds,
      now,
    });
    return { scheduler, service };
  };
  t.after(() => {
    for (const s of schedulers) s.stop();
    sink.closeAll();
    rmSync(dir, { recursive: true, force: true });
  });
  const m = await boot();
  /** Moves the clock and lets the (last booted) scheduler handle what is due. */
  const advance = async (ms: number, scheduler = schedulers.at(-1)!) => {
    clock.now += ms;
    await scheduler.tick();
    await scheduler.idle();
  };
  /** The service as the routes call it: bodies parsed by the protocol's schemas first. */
  const edge = {
    create: async (body: object) => m.service.create(parseOr400(CreateScheduleRequest, body, 'body')),
    update: async (id: string, body: object) => m.service.update(id, parseOr400(UpdateScheduleRequest, body, 'body')),
  };
  const create = (body: Partial<CreateScheduleRequest>) =>
    edge.create({ project: 'p', spider: 's', intervalSeconds: 10, ...body });
  const jobsOf = (id: string) =>
    db.selectFrom('jobs').select(['job_id', 'state', 'run_id']).where('schedule_id', '=', id).orderBy('seq').execute();
  const fires = async (id: string) =>
    (await repo.fires(id, 1000)).reverse().map((f) => ({
      at: (Number(f.scheduled_at) - T0) / S,
      trigger: f.trigger,
      status: f.status,
      code: f.reason_code,
    }));
  return {
    ...m,
    edge,
    boot,
    advance,
    create,
    jobsOf,
    fires,
    clock,
    jobs,
    jobsRepo,
    repo,
    db,
    events,
    catalog,
    policies,
  };
}

testEachStore('a fire happens once, on time, with the job it made', {}, async (t, store) => {
  const s = await setup(t, store);
  const sched = await s.create({ overlap: 'allow' });
  assert.equal(sched.nextFireAt, T0 + 10 * S);
  await s.advance(9 * S);
  assert.deepEqual(await s.jobsOf(sched.id), []);
  await s.advance(1 * S);
  await s.advance(0); // the same moment again changes nothing
  const jobs = await s.jobsOf(sched.id);
  assert.equal(jobs.length, 1);
  assert.deepEqual(await s.fires(sched.id), [{ at: 10, trigger: 'cron', status: 'queued', code: null }]);
  const [fire] = await s.repo.fires(sched.id, 1);
  assert.equal(fire!.job_id, jobs[0]!.job_id);
  // A second master process over the same store finds the fire taken.
  const other = await s.boot();
  await other.scheduler.tick();
  await other.scheduler.idle();
  assert.equal((await s.jobsOf(sched.id)).length, 1);
  assert.equal((await s.service.get(sched.id)).nextFireAt, T0 + 20 * S);
});

testEachStore(
  'misfire policies after a downtime: skip, run_once, backfill within its window and maximum',
  {},
  async (t, store) => {
    const s = await setup(t, store);
    const base = { overlap: 'allow' as const, misfireGraceSeconds: 5 };
    const skip = await s.create({ ...base, misfire: 'skip' });
    const once = await s.create({ ...base, misfire: 'run_once' });
    const back = await s.create({ ...base, misfire: 'backfill', backfillWindowSeconds: 45, backfillMax: 3 });
    for (const x of [skip, once, back]) s.scheduler.remove(x.id); // the master goes down at T0
    s.clock.now = T0 + 62 * S; // fires at 10..60 fell while it was down; 60 is within the 5 s grace
    await s.boot();
    assert.deepEqual(await s.fires(skip.id), [
      { at: 50, trigger: 'misfire', status: 'skipped', code: 'misfire' },
      { at: 60, trigger: 'cron', status: 'queued', code: null },
    ]);
    assert.match((await s.repo.fires(skip.id, 2))[1]!.reason!, /^5 fires from .* fell while the master was down/);
    assert.deepEqual(await s.fires(once.id), [
      { at: 50, trigger: 'misfire', status: 'queued', code: null },
      { at: 60, trigger: 'cron', status: 'queued', code: null },
    ]);
    // Window 45 s back from 62 s: 20..50 qualify; the latest 3 of them run.
    assert.deepEqual(await s.fires(back.id), [
      { at: 30, trigger: 'backfill', status: 'queued', code: null },
      { at: 40, trigger: 'backfill', status: 'queued', code: null },
      { at: 50, trigger: 'backfill', status: 'queued', code: null },
      { at: 60, trigger: 'cron', status: 'queued', code: null },
    ]);
    assert.deepEqual(await Promise.all([skip, once, back].map(async (x) => (await s.jobsOf(x.id)).length)), [1, 2, 4]);
    // Booting again changes nothing: every fire is in the ledger and the cursor moved past them.
    await s.boot();
    assert.deepEqual(await Promise.all([skip, once, back].map(async (x) => (await s.jobsOf(x.id)).length)), [1, 2, 4]);
  },
);

testEachStore('overlap policies: forbid skips, queue holds one, replace cancels, allow runs', {}, async (t, store) => {
  const s = await setup(t, store);
  const make = (overlap: 'allow' | 'forbid' | 'queue' | 'replace') => s.create({ overlap, name: overlap });
  const forbid = await make('forbid');
  const queue = await make('queue');
  const replace = await make('replace');
  await s.advance(10 * S); // every schedule's first job is pending (no agent)
  await s.advance(10 * S);
  await s.advance(10 * S);
  assert.deepEqual(await s.fires(forbid.id), [
    { at: 10, trigger: 'cron', status: 'queued', code: null },
    { at: 20, trigger: 'cron', status: 'skipped', code: 'overlap' },
    { at: 30, trigger: 'cron', status: 'skipped', code: 'overlap' },
  ]);
  assert.deepEqual(await s.fires(queue.id), [
    { at: 10, trigger: 'cron', status: 'queued', code: null },
    { at: 20, trigger: 'cron', status: 'waiting', code: 'overlap' },
    { at: 30, trigger: 'cron', status: 'skipped', code: 'overlap' },
  ]);
  // replace: each fire cancels the pending job before it (a pending job cancelled is removed).
  const replaced = await s.jobsOf(replace.id);
  assert.equal(replaced.length, 1);
  assert.equal(replaced[0]!.job_id, (await s.repo.fires(replace.id, 1))[0]!.job_id);
  // The queued schedule's job ends: the waiting fire gets its job, and only then.
  const [first] = await s.jobsOf(queue.id);
  await s.jobs.cancel('p', first!.job_id, undefined);
  await s.scheduler.idle();
  const after = await s.fires(queue.id);
  assert.deepEqual(after[1], { at: 20, trigger: 'cron', status: 'queued', code: null });
  const queued = await s.jobsOf(queue.id);
  assert.deepEqual(
    queued.map((j) => j.state),
    ['pending'],
  );
  assert.equal(queued[0]!.job_id, (await s.repo.fires(queue.id, 1, T0 + 21 * S))[0]!.job_id);
});

testEachStore('paused schedules record their fires as skipped; run now works while paused', {}, async (t, store) => {
  const s = await setup(t, store);
  const sched = await s.create({ overlap: 'allow' });
  await s.service.setEnabled(sched.id, false);
  await s.advance(10 * S);
  assert.deepEqual(await s.fires(sched.id), [{ at: 10, trigger: 'cron', status: 'skipped', code: 'paused' }]);
  s.clock.now += 1234;
  const manual = await s.service.runNow(sched.id);
  assert.deepEqual([manual.trigger, manual.status, manual.scheduledAt], ['manual', 'queued', T0 + 11_234]);
  assert.equal((await s.jobsOf(sched.id))[0]!.job_id, manual.jobId);
  await s.service.setEnabled(sched.id, true);
  await s.advance(9 * S);
  assert.equal((await s.fires(sched.id)).at(-1)!.status, 'queued');
});

testEachStore('a fire claimed just before a crash is completed at start, never doubled', {}, async (t, store) => {
  const s = await setup(t, store);
  const sched = await s.create({ overlap: 'allow' });
  s.scheduler.remove(sched.id);
  // The crash left two claimed fires: one whose job was committed, one whose job was not.
  const done = await s.jobs.submit({
    project: 'p',
    spider: 's',
    version: undefined,
    jobId: 'made-before-crash',
    priority: 0,
    args: [],
    settings: [],
    tags: undefined,
    scheduleId: sched.id,
  });
  const claim = (at: number, jobId: string) =>
    s.repo.claim({
      schedule_id: sched.id,
      scheduled_at: at,
      fired_at: at,
      trigger: 'cron',
      status: 'claimed',
      reason_code: null,
      reason: null,
      job_id: jobId,
    });
  assert.ok(await claim(T0 + 10 * S, done.jobId));
  assert.ok(await claim(T0 + 20 * S, 'never-made'));
  assert.equal(await claim(T0 + 20 * S, 'again'), false);
  await s.repo.advanceCursor(sched.id, T0 + 20 * S);
  s.clock.now = T0 + 21 * S;
  await s.boot();
  assert.deepEqual(
    (await s.jobsOf(sched.id)).map((j) => j.job_id),
    ['made-before-crash', 'never-made'],
  );
  assert.deepEqual(
    (await s.fires(sched.id)).map((f) => f.status),
    ['queued', 'queued'],
  );
});

testEachStore('bad schedules are refused whole and nothing is stored', {}, async (t, store) => {
  const s = await setup(t, store);
  const refused = async (body: object, code: string, message: RegExp) => {
    await assert.rejects(s.edge.create(body), (e: { code: string; message: string }) => {
      assert.equal(e.code, code);
      assert.match(e.message, message);
      return true;
    });
  };
  await refused({ project: 'p', spider: 's', cron: '61 * * * *' }, 'BAD_REQUEST', /cron '61 \* \* \* \*' is invalid/);
  await refused({ project: 'p', spider: 's', cron: '* * * * *', timezone: 'Mars/Olympus' }, 'BAD_REQUEST', /IANA/);
  await refused({ project: 'p', spider: 's' }, 'BAD_REQUEST', /exactly one of cron and intervalSeconds/);
  await refused({ project: 'p', spider: 's', intervalSeconds: 5, cron: '* * * * *' }, 'BAD_REQUEST', /exactly one/);
  await refused({ project: 'p', spider: 's', intervalSeconds: -1 }, 'BAD_REQUEST', /intervalSeconds/);
  await refused({ project: 'p', spider: 's', intervalSeconds: 5, jitterSeconds: -2 }, 'BAD_REQUEST', /jitterSeconds/);
  await refused({ project: 'p', spider: 'ghost', intervalSeconds: 5 }, 'SPIDER_NOT_FOUND', /ghost/);
  await refused({ project: 'p', spider: 's', intervalSeconds: 5, args: { _job: 'x' } }, 'BAD_REQUEST', /reserved/);
  await refused({ project: 'p', spider: 's', intervalSeconds: 5, overlap: 'sometimes' }, 'BAD_REQUEST', /overlap/);
  await refused({ project: 'p', spider: 's', intervalSeconds: 5, colour: 'red' }, 'BAD_REQUEST', /colour/);
  await refused(
    { project: 'p', spider: 's', intervalSeconds: 5, startAt: '2026-07-01T00:00:00Z', endAt: '2026-06-01T00:00:00Z' },
    'BAD_REQUEST',
    /endAt: must be after startAt/,
  );
  assert.equal(await s.repo.count(), 0);
  await s.create({ name: 'a' });
  await refused({ project: 'p', spider: 's', intervalSeconds: 5, name: 'a' }, 'CONFLICT', /named 'a'/);
  await s.create({});
  await s.create({});
  await refused({ project: 'p', spider: 's', intervalSeconds: 5 }, 'LIMIT_REACHED', /at most 3/);
  assert.equal(await s.repo.count(), 3);
});

testEachStore('jitter delays a fire by the same amount in every process', {}, async (t, store) => {
  const s = await setup(t, store);
  const sched = await s.create({ overlap: 'allow', jitterSeconds: 5 });
  const delay = jitterOf(sched.id, T0 + 10 * S, 5);
  assert.ok(delay >= 0 && delay < 5 * S);
  assert.equal(jitterOf(sched.id, T0 + 10 * S, 5), delay);
  await s.advance(10 * S + delay - 1);
  assert.equal((await s.jobsOf(sched.id)).length, 0);
  await s.advance(1);
  assert.equal((await s.jobsOf(sched.id)).length, 1);
});

testEachStore('a fire whose spider is gone fails with the reason; the schedule keeps firing', {}, async (t, store) => {
  const s = await setup(t, store);
  const sched = await s.create({ overlap: 'allow' });
  s.catalog.spiders = [];
  await s.advance(10 * S);
  const [fire] = await s.repo.fires(sched.id, 1);
  assert.deepEqual(
    [fire!.status, fire!.reason_code, fire!.reason, fire!.job_id],
    ['failed', 'spider_missing', "spider 's' not found", null],
  );
  s.catalog.spiders = ['s'];
  await s.advance(10 * S);
  assert.deepEqual(
    (await s.fires(sched.id)).map((f) => [f.at, f.status]),
    [
      [10, 'failed'],
      [20, 'queued'],
    ],
  );
  assert.equal((await s.jobsOf(sched.id)).length, 1);
});

testEachStore('a per-second schedule back from two days down catches up in bounded time', {}, async (t, store) => {
  const s = await setup(t, store);
  const sched = await s.create({
    cron: '* * * * * *',
    intervalSeconds: null,
    overlap: 'allow',
    misfire: 'skip',
    misfireGraceSeconds: 1,
  });
  s.scheduler.remove(sched.id);
  s.clock.now = T0 + 2 * 86_400 * S + 500;
  const started = Date.now();
  await s.boot();
  assert.ok(Date.now() - started < 30_000, `catch-up took ${Date.now() - started} ms`);
  const fires = await s.repo.fires(sched.id, 10);
  assert.equal(fires.length, 2, JSON.stringify(fires));
  const [onTime, skipped] = fires;
  assert.deepEqual([skipped!.status, skipped!.reason_code], ['skipped', 'misfire']);
  assert.match(skipped!.reason!, /^\d+\+ fires from 2026-06-01T00:00:01\.000Z to .* fell while the master was down/);
  assert.deepEqual([Number(onTime!.scheduled_at), onTime!.status], [T0 + 2 * 86_400 * S, 'queued']);
});

testEachStore('two schedulers ticking the same due fire make exactly one job', {}, async (t, store) => {
  const s = await setup(t, store);
  const sched = await s.create({ overlap: 'allow' });
  // A second master process, booted before the fire is due: both hold the schedule with the fire ahead of them.
  const other = await s.boot();
  s.clock.now = T0 + 10 * S;
  await Promise.all([s.scheduler.tick(), other.scheduler.tick()]);
  await Promise.all([s.scheduler.idle(), other.scheduler.idle()]);
  // And once more each, in turn: the one that lost the claim must not make the job either.
  await s.scheduler.tick();
  await other.scheduler.tick();
  await Promise.all([s.scheduler.idle(), other.scheduler.idle()]);
  const jobs = await s.jobsOf(sched.id);
  assert.equal(jobs.length, 1, JSON.stringify(jobs));
  assert.deepEqual(await s.fires(sched.id), [{ at: 10, trigger: 'cron', status: 'queued', code: null }]);
  assert.equal((await s.repo.fires(sched.id, 1))[0]!.job_id, jobs[0]!.job_id);
});

testEachStore('a paused schedule owes nothing for the time it was paused', {}, async (t, store) => {
  const s = await setup(t, store);
  const base = { overlap: 'allow' as const, misfireGraceSeconds: 5 };
  const once = await s.create({ ...base, misfire: 'run_once' });
  const back = await s.create({ ...base, misfire: 'backfill', backfillWindowSeconds: 3600, backfillMax: 10 });
  for (const x of [once, back]) await s.service.setEnabled(x.id, false);
  // Paused, while nothing ticks (the machine slept): fires at 10..90 come and go.
  s.clock.now = T0 + 95 * S;
  for (const x of [once, back]) await s.service.setEnabled(x.id, true);
  await s.advance(0);
  // A timer of the real clock may still have recorded a fire of the pause as skipped (paused); nothing ran.
  const ran = async (id: string) => (await s.fires(id)).filter((f) => f.code !== 'paused');
  assert.deepEqual(await ran(once.id), []);
  assert.deepEqual(await ran(back.id), []);
  assert.deepEqual(await s.jobsOf(once.id), []);
  assert.deepEqual(await s.jobsOf(back.id), []);
  // The next fire after the resume runs as usual (the interval counts from creation).
  await s.advance(5 * S);
  assert.deepEqual(await ran(once.id), [{ at: 100, trigger: 'cron', status: 'queued', code: null }]);
  assert.deepEqual(await ran(back.id), [{ at: 100, trigger: 'cron', status: 'queued', code: null }]);

  // Paused while the master is down: the boot records nothing owed, and the resume owes nothing either.
  for (const x of [once, back]) await s.service.setEnabled(x.id, false);
  for (const x of [once, back]) s.scheduler.remove(x.id);
  s.clock.now = T0 + 200 * S + 500;
  const again = await s.boot();
  for (const x of [once, back]) await again.service.setEnabled(x.id, true);
  await s.advance(0);
  for (const x of [once, back]) {
    assert.deepEqual(await ran(x.id), [{ at: 100, trigger: 'cron', status: 'queued', code: null }]);
    assert.equal((await s.jobsOf(x.id)).length, 1);
  }
});

testEachStore('fire history keeps schedule_fires_to_keep fires per schedule', {}, async (t, store) => {
  const s = await setup(t, store, { firesToKeep: 10 });
  // A long grace: the 50 fires of the next 500 s are all on time in one pass.
  const sched = await s.create({ overlap: 'allow', misfireGraceSeconds: 3600 });
  const kept = await s.create({ overlap: 'allow', misfireGraceSeconds: 3600, intervalSeconds: 100 });
  await s.advance(500 * S);
  assert.equal((await s.jobsOf(sched.id)).length, 50);
  const fires = await s.fires(sched.id);
  assert.deepEqual(
    fires.map((f) => f.at),
    [410, 420, 430, 440, 450, 460, 470, 480, 490, 500],
  );
  // Another schedule's history is its own.
  assert.equal((await s.fires(kept.id)).length, 5);
});

testEachStore(
  'fires that fail name why: project_missing, version_missing, refused (unique key)',
  {},
  async (t, store) => {
    const s = await setup(t, store);
    const project = await s.create({ overlap: 'allow', name: 'project' });
    const version = await s.create({ overlap: 'allow', name: 'version', version: 'v1', intervalSeconds: 15 });
    const refused = await s.create({ overlap: 'allow', name: 'refused', intervalSeconds: 7 });
    s.scheduler.remove(refused.id);

    s.catalog.projects = [];
    await s.advance(10 * S);
    const [p] = await s.repo.fires(project.id, 1);
    assert.deepEqual(
      [p!.status, p!.reason_code, p!.reason, p!.job_id],
      ['failed', 'project_missing', "project 'p' not found", null],
    );
    s.catalog.projects = ['p'];

    s.catalog.versions = [];
    await s.advance(5 * S);
    const [v] = await s.repo.fires(version.id, 1);
    assert.deepEqual(
      [v!.status, v!.reason_code, v!.reason, v!.job_id],
      ['failed', 'version_missing', "version 'v1' not found", null],
    );
    s.catalog.versions = ['v1'];
    for (const x of [project, version]) s.scheduler.remove(x.id);

    // A unique key on the spider: the schedule's second job, while its first is pending, is refused.
    await s.policies.put('p', 's', { ...s.policies.get('p', 's'), uniqueArgs: [] }, s.clock.now);
    s.scheduler.upsert((await s.repo.get(refused.id))!);
    await s.advance(6 * S); // 21 s: the fire of 21 s runs; 7 and 14 fell inside the 60 s grace and run too
    const fires = await s.fires(refused.id);
    assert.deepEqual(
      fires.map((f) => [f.at, f.status, f.code]),
      [
        [7, 'queued', null],
        [14, 'failed', 'refused'],
        [21, 'failed', 'refused'],
      ],
    );
    assert.match((await s.repo.fires(refused.id, 1))[0]!.reason!, /already has this unique key/);
    assert.equal((await s.jobsOf(refused.id)).length, 1);
  },
);

testEachStore('a schedule never has more pending jobs than max_pending_per_schedule', {}, async (t, store) => {
  const s = await setup(t, store, { maxPending: 2 });
  const sched = await s.create({ overlap: 'allow' });
  for (let i = 0; i < 4; i++) await s.advance(10 * S); // no agent: every job stays pending
  assert.deepEqual(await s.fires(sched.id), [
    { at: 10, trigger: 'cron', status: 'queued', code: null },
    { at: 20, trigger: 'cron', status: 'queued', code: null },
    { at: 30, trigger: 'cron', status: 'skipped', code: 'pending_cap' },
    { at: 40, trigger: 'cron', status: 'skipped', code: 'pending_cap' },
  ]);
  assert.match(
    (await s.repo.fires(sched.id, 1))[0]!.reason!,
    /^2 jobs of this schedule are pending, the most allowed \(max_pending_per_schedule = 2\)$/,
  );
  // "Run now" is held by the cap too.
  const manual = await s.service.runNow(sched.id);
  assert.deepEqual([manual.status, manual.reasonCode], ['skipped', 'pending_cap']);
  assert.equal((await s.jobsOf(sched.id)).length, 2);
  // One pending job leaves: the next fire runs.
  await s.jobs.cancel('p', (await s.jobsOf(sched.id))[0]!.job_id, undefined);
  await s.advance(10 * S);
  assert.deepEqual((await s.fires(sched.id)).at(-1), { at: 50, trigger: 'cron', status: 'queued', code: null });
  assert.equal((await s.jobsOf(sched.id)).length, 2);
});

testEachStore('schedules firing more often than min_schedule_interval_seconds are refused', {}, async (t, store) => {
  const s = await setup(t, store, { minIntervalSeconds: 60 });
  const refused = async (body: object, message: RegExp, id?: string) => {
    await assert.rejects(
      id ? s.edge.update(id, body) : s.edge.create({ project: 'p', spider: 's', ...body }),
      (e: { code: string; status: number; message: string }) => {
        assert.deepEqual([e.code, e.status], ['SCHEDULE_TOO_FREQUENT', 400]);
        assert.match(e.message, /min_schedule_interval_seconds = 60/);
        assert.match(e.message, message);
        return true;
      },
    );
  };
  await refused({ intervalSeconds: 59 }, /intervalSeconds 59 is below the floor/);
  await refused({ cron: '*/30 * * * * *' }, /cron '\*\/30 \* \* \* \* \*' fires 30 s apart/);
  await refused({ cron: '0,1 0 * * * *' }, /fires 1 s apart/); // an hourly pattern with two close fires
  assert.equal(await s.repo.count(), 0);
  const minute = await s.create({ cron: '* * * * *', intervalSeconds: null });
  const every = await s.create({ intervalSeconds: 60 });
  await refused({ intervalSeconds: 10 }, /intervalSeconds 10/, every.id);
  await refused({ cron: '* * * * * *' }, /fires 1 s apart/, minute.id);
  assert.equal((await s.service.get(every.id)).intervalSeconds, 60);

  // The default floor (1 s) keeps today's per-second schedules working.
  const d = await setup(t, store);
  await d.create({ cron: '* * * * * *', intervalSeconds: null });
  await d.create({ intervalSeconds: 1 });
});
