/**
 * The alert engine on both stores, with the real outbox: a crash between a notice and the state that records it
 * sends nothing twice, and jobs that finished while no engine watched are caught up from the mark (firing and
 * resolving as if seen live).
 */
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import pino from 'pino';
import { SecretBox } from '../auth/secret-box.js';
import { createAlertsRepo } from '../db/repos/alerts.js';
import { createDeliveriesRepo } from '../db/repos/deliveries.js';
import { createJobStatsRepo } from '../db/repos/job-stats.js';
import { createJobsRepo } from '../db/repos/jobs.js';
import { openTestDatabase, testEachStore, type Store } from '../db/stores.test-support.js';
import { createAlertNotifier } from '../deliveries/alert-notifier.js';
import { ChannelService } from '../deliveries/channel-service.js';
import { TargetCatalog } from '../deliveries/targets.js';
import { DomainEvents } from '../events/domain-events.js';
import { AlertEngine } from './engine.js';
import { AlertRuleService } from './rule-service.js';

const T0 = Date.parse('2026-06-01T00:00:00Z');
const logger = pino({ level: 'silent' });
const RUN = (c: string) => c.repeat(32);

async function setup(t: TestContext, store: Store) {
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
  const engine = () =>
    new AlertEngine({
      repo,
      marks: deliveries,
      notifier,
      events,
      stats: createJobStatsRepo(db),
      nodes: () => Promise.resolve([]),
      baseUrl: () => 'http://master',
      now,
      logger,
      checkMs: 3_600_000,
      startupGraceMs: 0,
      finalStatsWaitMs: 1,
    });
  /** A job of spider `spider` that finished with `outcome` at `endedAt`, committed without any event. */
  const finish = async (run: string, spider: string, outcome: string, endedAt: number) => {
    await jobs.insertPending({
      runId: run,
      jobId: `job-${run.slice(0, 4)}`,
      project: 'p',
      spider,
      versionRequested: null,
      settings: [],
      args: [],
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
  return { clock, engine, events, repo, notifier, channel, finish, sent };
}

testEachStore('a notice enqueued before a crash is not sent again by the next engine', {}, async (t, store) => {
  const s = await setup(t, store);
  const first = s.engine();
  await first.start();
  const rules = new AlertRuleService({ repo: s.repo, notifier: s.notifier, listener: first, now: () => s.clock.now });
  await rules.create({
    name: 'broke',
    condition: { kind: 'job_outcome', outcomes: ['failed'] },
    channels: [s.channel.id],
    repeatSeconds: 60,
  });
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

  // The repeat is a new notice.
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
  await rules.create({
    name: 'broke',
    condition: { kind: 'job_outcome', outcomes: ['failed'] },
    channels: [s.channel.id],
  });
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
