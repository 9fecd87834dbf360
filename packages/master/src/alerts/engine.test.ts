/**
 * The alert engine on both stores, with the real outbox: a crash between a notice and the state that records it
 * sends nothing twice, and jobs that finished while no engine watched are caught up from the mark (firing and
 * resolving as if seen live).
 */
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import pino from 'pino';
import type { z } from 'zod';
import { CreateAlertRuleRequest, type AlertCondition } from '@scrapyard/protocol';
import { SecretBox } from '../auth/secret-box.js';
import { createAlertsRepo } from '../db/repos/alerts.js';
import { createConsumerMarks } from '../db/repos/consumer-marks.js';
import { createDeliveriesRepo } from '../db/repos/deliveries.js';
import { createJobStatsRepo } from '../db/repos/job-stats.js';
import { createJobHistoryRepo } from '../db/repos/job-history.js';
import { createJobsRepo } from '../db/repos/jobs.js';
import { openTestDatabase, testEachStore, type Store } from '../db/stores.test-support.js';
import { createAlertNotifier } from '../deliveries/alert-notifier.js';
import { ChannelService } from '../deliveries/channel-service.js';
import { TargetCatalog } from '../deliveries/targets.js';
import { DomainEvents } from '../events/domain-events.js';
import { AlertEngine } from './engine.js';
import { AlertRuleService } from './rule-service.js';

/** A rule as the route hands it over: parsed by the protocol's schema (defaults filled in). */
const ruleBody = (body: z.input<typeof CreateAlertRuleRequest>) => CreateAlertRuleRequest.parse(body);

const T0 = Date.parse('2026-06-01T00:00:00Z');
const logger = pino({ level: 'silent' });
const RUN = (c: string) => c.repeat(32);

async function setup(t: TestContext, store: Store) {
  /** What the engines logged at warn and above. */
  const warnings: Record<string, unknown>[] = [];
  const warnLogger = pino({ level: 'warn' }, { write: (line: string) => warnings.push(JSON.parse(line)) });
  const db = await openTestDatabase(t, store);
  const clock = { now: T0 };
  const now = () => clock.now;
  const deliveries = createDeliveriesRepo(db);
  const targets = new TargetCatalog(deliveries);
  const box = new SecretBox(Buffer.alloc(32, 7));
  const channels = new ChannelService({ repo: deliveries, targets, box, now, wake: () => {} });
  const { channel } = await channels.create({
    name: 'hook',
    kind: 'webhook',
    config: { url: 'https://hooks.example.com/' },
  });
  await targets.reload();
  const notifier = createAlertNotifier({ repo: deliveries, targets, now, wake: () => {} });
  const repo = createAlertsRepo(db);
  const jobs = createJobsRepo(db);
  const events = new DomainEvents({ logger, now });
  const engine = (o: { maxOpenPerRule?: number } = {}) =>
    new AlertEngine({
      repo,
      marks: createConsumerMarks(db),
      history: createJobHistoryRepo(db),
      notifier,
      events,
      stats: createJobStatsRepo(db),
      nodes: () => Promise.resolve([]),
      baseUrl: () => 'http://master',
      now,
      logger: warnLogger,
      checkMs: 3_600_000,
      startupGraceMs: 0,
      finalStatsWaitMs: 1,
      ...o,
    });
  /** A job of spider `spider` that finished with `outcome` at `endedAt`, committed without any event. */
  const finish = async (
    run: string,
    spider: string,
    outcome: string,
    endedAt: number,
    args: [string, string][] = [],
  ) => {
    await jobs.insertPending({
      runId: run,
      jobId: `job-${run.slice(0, 4)}`,
      project: 'p',
      spider,
      versionRequested: null,
      settings: [],
      args,
      priority: 0,
      createdAt: endedAt - 10,
      tags: [],
    });
    const row = (await jobs.byRunId(run))!;
    assert.ok(await jobs.claim(row.seq, 'n1', 'v1', endedAt - 5));
    const f = { endedAt, startedAt: endedAt - 5, exitCode: 1, signal: null, outcome, reason: 'exit 1' };
    assert.ok(await jobs.markFinished(run, f, 1_000));
  };
  const sent = async () => (await deliveries.log(channel.id, undefined, 100)).map((d) => d.event).sort();
  let runs = 0;
  /** A run of `spider` finishes now with `outcome` (committed, then announced); the engine has judged it. */
  const run = async (e: AlertEngine, spider: string, outcome: string, args: [string, string][] = []) => {
    const runId = (++runs).toString(16).padStart(32, '0');
    await finish(runId, spider, outcome, clock.now, args);
    events.publish({
      type: 'job.finished',
      job: { jobId: `job-${runId.slice(0, 4)}`, runId, project: 'p', spider },
      nodeId: 'n1',
      attempt: 1,
      outcome: outcome as 'failed',
      exitCode: outcome === 'succeeded' ? 0 : 1,
      reason: null,
      startedAt: clock.now - 5,
      endedAt: clock.now,
    });
    await e.idle();
  };
  /** Every notice in the outbox, per channel, as `<event>:<dedup key's tail>`, e.g. `alert.firing:1`. */
  const outbox = async (channelId = channel.id) =>
    (await deliveries.log(channelId, undefined, 100)).map((d) => `${d.event}:${d.dedup_key.split(':').at(-1)}`).sort();
  /** The receiver took everything waiting for `channelId`. */
  const deliver = async (channelId = channel.id) => {
    for (const d of await deliveries.log(channelId, 'pending', 100)) {
      await deliveries.settle(d.id, { state: 'delivered', delivered_at: clock.now, attempts: 1 });
    }
  };
  const ruleService = (e: AlertEngine) => new AlertRuleService({ repo, notifier, listener: e, now: () => clock.now });
  return {
    clock,
    engine,
    events,
    repo,
    notifier,
    channel,
    channels,
    targets,
    finish,
    sent,
    run,
    outbox,
    deliver,
    ruleService,
    warnings,
  };
}

testEachStore('a notice enqueued before a crash is not sent again by the next engine', {}, async (t, store) => {
  const s = await setup(t, store);
  const first = s.engine();
  await first.start();
  const rules = new AlertRuleService({ repo: s.repo, notifier: s.notifier, listener: first, now: () => s.clock.now });
  await rules.create(
    ruleBody({
      name: 'broke',
      condition: { kind: 'job_outcome', outcomes: ['failed'] },
      channels: [s.channel.id],
      repeatSeconds: 60,
    }),
  );
  s.clock.now = T0 + 1_000;
  await s.finish(RUN('a'), 's', 'failed', s.clock.now);
  s.events.publish({
    type: 'job.finished',
    job: { jobId: 'job-aaaa', runId: RUN('a'), project: 'p', spider: 's' },
    nodeId: 'n1',
    attempt: 1,
    outcome: 'failed',
    exitCode: 1,
    reason: 'exit 1',
    startedAt: T0,
    endedAt: s.clock.now,
  });
  await first.idle();
  assert.deepEqual(await s.sent(), ['alert.firing']);
  const [alert] = await s.repo.allActive();
  assert.equal(alert!.state, 'firing');
  assert.equal(alert!.notices, 1);
  await first.stop();

  // As if the master died between the outbox insert and the alert's update.
  await s.repo.update(alert!.id, { notices: 0, last_notified_at: null });
  const second = s.engine();
  await second.start();
  await second.check();
  await second.idle();
  assert.deepEqual(await s.sent(), ['alert.firing'], 'the same key: not enqueued twice');
  assert.equal((await s.repo.get(alert!.id))!.notices, 1);

  // The repeat is a new notice (once the first one is delivered: none piles up behind it).
  await s.deliver();
  s.clock.now += 61_000;
  await second.check();
  assert.deepEqual(await s.sent(), ['alert.firing', 'alert.firing']);
  await second.stop();
});

testEachStore('jobs finished while no engine watched are caught up from the mark', {}, async (t, store) => {
  const s = await setup(t, store);
  const first = s.engine();
  await first.start();
  const rules = new AlertRuleService({ repo: s.repo, notifier: s.notifier, listener: first, now: () => s.clock.now });
  await rules.create(
    ruleBody({
      name: 'broke',
      condition: { kind: 'job_outcome', outcomes: ['failed'] },
      channels: [s.channel.id],
    }),
  );
  await first.stop();

  // Down: a run fails.
  await s.finish(RUN('b'), 's', 'failed', T0 + 5_000);
  s.clock.now = T0 + 10_000;
  const second = s.engine();
  await second.start();
  await second.idle();
  assert.deepEqual(await s.sent(), ['alert.firing']);
  const [alert] = await s.repo.allActive();
  assert.equal(alert!.subject, 'p/s');
  await second.stop();

  // Down again: it is fixed.
  await s.finish(RUN('c'), 's', 'succeeded', T0 + 20_000);
  s.clock.now = T0 + 30_000;
  const third = s.engine();
  await third.start();
  await third.idle();
  assert.deepEqual(await s.sent(), ['alert.firing', 'alert.resolved']);
  assert.equal((await s.repo.get(alert!.id))!.state, 'resolved');
  await third.stop();
});

const failed: AlertCondition = { kind: 'job_outcome', outcomes: ['failed'] };

testEachStore('a job alert is about the spider, whatever arguments its runs had', {}, async (t, store) => {
  const s = await setup(t, store);
  const e = s.engine();
  await e.start();
  await s.ruleService(e).create(ruleBody({ name: 'broke', condition: failed, channels: [s.channel.id] }));
  await s.run(e, 's', 'failed', [['page', '1']]);
  await s.run(e, 's', 'failed', [['page', '2']]);
  await s.run(e, 's', 'failed', [['page', 'x'.repeat(300)]]);
  const active = await s.repo.allActive();
  assert.deepEqual(
    active.map((a) => a.subject),
    ['p/s'],
  );
  assert.deepEqual(await s.sent(), ['alert.firing']);
  // Any succeeded run of the spider resolves it, whatever its arguments.
  await s.run(e, 's', 'succeeded', [['page', '3']]);
  assert.deepEqual(await s.repo.allActive(), []);
  assert.deepEqual(await s.sent(), ['alert.firing', 'alert.resolved']);
  await e.stop();
});

testEachStore('a rule at its open-alert cap opens no more, and says so once per period', {}, async (t, store) => {
  const s = await setup(t, store);
  const e = s.engine({ maxOpenPerRule: 2 });
  await e.start();
  const { rule } = await s
    .ruleService(e)
    .create(ruleBody({ name: 'any', condition: failed, channels: [s.channel.id] }));
  for (const spider of ['s1', 's2', 's3', 's4']) await s.run(e, spider, 'failed');
  assert.deepEqual((await s.repo.allActive()).map((a) => a.subject).sort(), ['p/s1', 'p/s2']);
  assert.deepEqual(await s.sent(), ['alert.firing', 'alert.firing']);
  assert.equal(e.suppressedCount(rule.id), 2);
  const suppressed = () => s.warnings.filter((w) => w.event === 'alert.suppressed');
  assert.deepEqual(
    suppressed().map((w) => [w.ruleId, w.subject, w.suppressed, w.max]),
    [[rule.id, 'p/s3', 1, 2]],
  );
  // Ten minutes on: the next one not opened is logged with the count since the last warning.
  s.clock.now += 10 * 60_000;
  await s.run(e, 's5', 'failed');
  assert.deepEqual(
    suppressed().map((w) => [w.subject, w.suppressed, w.suppressedTotal]),
    [
      ['p/s3', 1, 1],
      ['p/s5', 2, 3],
    ],
  );
  // One resolves: a new subject opens again.
  await s.run(e, 's1', 'succeeded');
  await s.run(e, 's6', 'failed');
  assert.deepEqual((await s.repo.allActive()).map((a) => a.subject).sort(), ['p/s2', 'p/s6']);
  await e.stop();
});

testEachStore(
  'no repeat goes to a channel while an earlier notice of the alert waits in the outbox',
  {},
  async (t, store) => {
    const s = await setup(t, store);
    const { channel: other } = await s.channels.create({
      name: 'other',
      kind: 'webhook',
      config: { url: 'https://hooks.example.com/other' },
    });
    await s.targets.reload();
    const e = s.engine();
    await e.start();
    await s
      .ruleService(e)
      .create(ruleBody({ name: 'broke', condition: failed, channels: [s.channel.id, other.id], repeatSeconds: 60 }));
    await s.run(e, 's', 'failed');
    const both = async () => [await s.outbox(s.channel.id), await s.outbox(other.id)];
    assert.deepEqual(await both(), [['alert.firing:0'], ['alert.firing:0']]);
    // Neither receiver took the first notice: the repeat waits, however long.
    for (let i = 0; i < 3; i++) {
      s.clock.now += 61_000;
      await e.check();
    }
    assert.deepEqual(await both(), [['alert.firing:0'], ['alert.firing:0']]);
    // One took it: the repeat (due long ago) goes to that one only.
    await s.deliver(s.channel.id);
    await e.check();
    assert.deepEqual(await both(), [['alert.firing:0', 'alert.firing:1'], ['alert.firing:0']]);
    s.clock.now += 61_000;
    await e.check();
    assert.deepEqual(await both(), [['alert.firing:0', 'alert.firing:1'], ['alert.firing:0']]);
    // Both took theirs: the next repeat goes to both.
    await s.deliver(s.channel.id);
    await s.deliver(other.id);
    await e.check();
    assert.deepEqual(await both(), [
      ['alert.firing:0', 'alert.firing:1', 'alert.firing:2'],
      ['alert.firing:0', 'alert.firing:2'],
    ]);
    // The resolved message never waits.
    await s.run(e, 's', 'succeeded');
    assert.deepEqual((await s.outbox(other.id)).at(-1), 'alert.resolved:resolved');
    await e.stop();
  },
);

testEachStore('a rule muted before its first failure sends nothing until the mute ends', {}, async (t, store) => {
  const s = await setup(t, store);
  const e = s.engine();
  await e.start();
  const rules = s.ruleService(e);
  const { rule } = await rules.create(ruleBody({ name: 'broke', condition: failed, channels: [s.channel.id] }));
  await rules.muteRule(rule.id, { seconds: 600 });
  await s.run(e, 's', 'failed');
  const [alert] = await s.repo.allActive();
  assert.equal(alert!.state, 'firing', 'muted alerts still fire');
  assert.deepEqual(await s.sent(), []);
  s.clock.now += 599_000;
  await e.check();
  assert.deepEqual(await s.sent(), []);
  assert.equal((await s.repo.get(alert!.id))!.notices, 0);
  // The mute ends: the notice still owed goes out.
  s.clock.now += 1_000;
  await e.check();
  assert.deepEqual(await s.sent(), ['alert.firing']);
  assert.equal((await s.repo.get(alert!.id))!.notices, 1);

  // An alert muted on its own: its repeat waits for the end of the mute too.
  await rules.update(rule.id, { repeatSeconds: 60 });
  await s.deliver();
  await rules.muteAlert(alert!.id, { seconds: 300 });
  s.clock.now += 120_000;
  await e.check();
  assert.deepEqual(await s.sent(), ['alert.firing']);
  s.clock.now += 180_000;
  await e.check();
  assert.deepEqual(await s.sent(), ['alert.firing', 'alert.firing']);
  await e.stop();
});

testEachStore('a condition that clears before forSeconds resolves silently', {}, async (t, store) => {
  const s = await setup(t, store);
  const e = s.engine();
  await e.start();
  await s
    .ruleService(e)
    .create(ruleBody({ name: 'broke', condition: failed, channels: [s.channel.id], forSeconds: 60 }));
  await s.run(e, 's', 'failed');
  const [alert] = await s.repo.allActive();
  assert.equal(alert!.state, 'pending');
  s.clock.now += 30_000;
  await e.check();
  assert.equal((await s.repo.get(alert!.id))!.state, 'pending');
  await s.run(e, 's', 'succeeded');
  s.clock.now += 60_000;
  await e.check();
  const after = (await s.repo.get(alert!.id))!;
  assert.deepEqual([after.state, after.fired_at, after.notices], ['resolved', null, 0]);
  assert.deepEqual(await s.sent(), []);
  // Held for forSeconds, it fires.
  await s.run(e, 's', 'failed');
  s.clock.now += 60_000;
  await e.check();
  assert.deepEqual(await s.sent(), ['alert.firing']);
  await e.stop();
});

testEachStore('sendResolved false: the alert resolves without a message', {}, async (t, store) => {
  const s = await setup(t, store);
  const e = s.engine();
  await e.start();
  await s
    .ruleService(e)
    .create(ruleBody({ name: 'broke', condition: failed, channels: [s.channel.id], sendResolved: false }));
  await s.run(e, 's', 'failed');
  const [alert] = await s.repo.allActive();
  await s.run(e, 's', 'succeeded');
  assert.equal((await s.repo.get(alert!.id))!.state, 'resolved');
  assert.deepEqual(await s.sent(), ['alert.firing']);
  await e.stop();
});

testEachStore('changing a rule’s condition or disabling it closes its alerts silently', {}, async (t, store) => {
  const s = await setup(t, store);
  const e = s.engine();
  await e.start();
  const rules = s.ruleService(e);
  const { rule } = await rules.create(ruleBody({ name: 'broke', condition: failed, channels: [s.channel.id] }));
  await s.run(e, 's', 'failed');
  const [first] = await s.repo.allActive();
  // Another name or channel list keeps it open.
  await rules.update(rule.id, { name: 'broken' });
  assert.equal((await s.repo.get(first!.id))!.state, 'firing');
  // Another condition closes it, without a message.
  await rules.update(rule.id, { condition: { kind: 'job_outcome', outcomes: ['failed', 'lost'] } });
  assert.equal((await s.repo.get(first!.id))!.state, 'resolved');
  assert.deepEqual(await s.repo.allActive(), []);
  assert.deepEqual(await s.sent(), ['alert.firing']);
  // The next failure is a new alert; disabling the rule closes it the same way.
  await s.run(e, 's', 'failed');
  const [second] = await s.repo.allActive();
  assert.notEqual(second!.id, first!.id);
  await rules.update(rule.id, { enabled: false });
  assert.equal((await s.repo.get(second!.id))!.state, 'resolved');
  assert.deepEqual(await s.sent(), ['alert.firing', 'alert.firing']);
  // Disabled, it watches nothing.
  await s.run(e, 's', 'failed');
  assert.deepEqual(await s.repo.allActive(), []);
  await e.stop();
});

testEachStore('alerts about spider arguments, from before, are closed silently at start', {}, async (t, store) => {
  const s = await setup(t, store);
  const first = s.engine();
  await first.start();
  const { rule } = await s
    .ruleService(first)
    .create(ruleBody({ name: 'broke', condition: failed, channels: [s.channel.id] }));
  await first.stop();
  const old = {
    rule_id: rule.id,
    kind: 'job_outcome',
    state: 'firing' as const,
    summary: 'crawl failed',
    detail: '',
    labels: '{}',
    link: '',
    started_at: T0,
    fired_at: T0,
    resolved_at: null,
    last_notified_at: T0,
    notices: 1,
    muted_until: null,
  };
  await s.repo.insert({ ...old, id: 'al_args', subject: 'p/s?page=1' });
  await s.repo.insert({ ...old, id: 'al_spider', subject: 'p/s' });
  const e = s.engine();
  await e.start();
  await e.idle();
  assert.deepEqual(
    (await s.repo.allActive()).map((a) => a.id),
    ['al_spider'],
  );
  assert.equal((await s.repo.get('al_args'))!.state, 'resolved');
  assert.deepEqual(await s.sent(), []);
  await e.stop();
});
