import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { pino } from 'pino';
import WebSocket, { WebSocketServer } from 'ws';
import { NO_POLICY, parseEnvelope, type PlacementPolicy } from '@scrapyard/protocol';
import { openTestDatabase, testEachStore, type Store } from '../db/stores.test-support.js';
import { PolicyStore } from '../projects/policy-store.js';
import { createJobsRepo } from '../db/repos/jobs.js';
import { DomainEvents } from '../events/domain-events.js';
import { AgentSession } from '../registry/agent-session.js';
import { AgentRegistry } from '../registry/registry.js';
import { JobService, retryDelayMs } from './job-service.js';
import { uniqueKeyOf } from './job-submission.js';
import { LogSink } from './log-sink.js';
import { RunLimits, verdict } from './run-limits.js';

const limits = (
  o: Partial<{ maxRunSeconds: number | null; stallSeconds: number | null; killGraceSeconds: number }>,
) => ({
  maxRunSeconds: null,
  stallSeconds: null,
  killGraceSeconds: 30,
  ...o,
});

void test('a run is stopped at its maximum run time or after its stall window, then killed every grace', () => {
  const running = { startedAt: 0, lastProgress: 0, stoppedAt: null };
  assert.deepEqual(verdict(running, limits({}), 10 ** 9), { action: 'none' });
  assert.deepEqual(verdict(running, limits({ maxRunSeconds: 10 }), 9_999), { action: 'none' });
  const timedOut = verdict(running, limits({ maxRunSeconds: 10 }), 10_000);
  assert.deepEqual([timedOut.action, 'outcome' in timedOut && timedOut.outcome], ['stop', 'timed_out']);
  assert.match((timedOut as { reason: string }).reason, /maximum run time of 10 s/);
  const progressing = { startedAt: 0, lastProgress: 50_000, stoppedAt: null };
  assert.deepEqual(verdict(progressing, limits({ stallSeconds: 60 }), 109_999), { action: 'none' });
  const stalled = verdict(progressing, limits({ stallSeconds: 60 }), 110_000);
  assert.deepEqual([stalled.action, 'outcome' in stalled && stalled.outcome], ['stop', 'stalled']);
  // The maximum run time wins when both hold.
  const both = verdict(running, limits({ maxRunSeconds: 5, stallSeconds: 5 }), 5_000);
  assert.equal('outcome' in both && both.outcome, 'timed_out');
  const stopping = { startedAt: 0, lastProgress: 0, stoppedAt: 100_000 };
  assert.deepEqual(verdict(stopping, limits({ maxRunSeconds: 5, killGraceSeconds: 3 }), 102_999), { action: 'none' });
  assert.deepEqual(verdict(stopping, limits({ maxRunSeconds: 5, killGraceSeconds: 3 }), 103_000), { action: 'kill' });
});

testEachStore('policies: the job’s own win over the spider’s, which win over the project’s', {}, async (t, store) => {
  const db = await openTestDatabase(t, store);
  const policies = new PolicyStore(db, 1);
  await policies.load();
  const base = NO_POLICY;
  const defaults = {
    maxRunSeconds: null,
    stallSeconds: null,
    killGraceSeconds: 30,
    retries: 1,
    retryOn: ['lost'],
    retryBackoffSeconds: 10,
    retryBackoffMaxSeconds: 600,
    uniqueArgs: null,
  };
  assert.deepEqual(policies.limitsFor('p', 's', null), defaults);
  await policies.put(
    'p',
    '',
    { ...base, maxRunSeconds: 100, stallSeconds: 50, killGraceSeconds: 5, retries: 3, retryOn: ['failed', 'failed'] },
    1,
  );
  await policies.put('p', 's', { ...base, maxRunSeconds: 10, retryBackoffSeconds: 2 }, 1);
  assert.deepEqual(policies.limitsFor('p', 's', null), {
    ...defaults,
    maxRunSeconds: 10,
    stallSeconds: 50,
    killGraceSeconds: 5,
    retries: 3,
    retryOn: ['failed'],
    retryBackoffSeconds: 2,
  });
  assert.deepEqual(policies.limitsFor('p', 'other', { stallSeconds: 7, retries: 0 }), {
    ...defaults,
    maxRunSeconds: 100,
    stallSeconds: 7,
    killGraceSeconds: 5,
    retries: 0,
    retryOn: ['failed'],
  });
  // Kept in the database: a new store reads the same.
  const again = new PolicyStore(db, 1);
  await again.load();
  assert.deepEqual(again.get('p', 's'), { ...base, maxRunSeconds: 10, retryBackoffSeconds: 2 });
  assert.deepEqual(again.get('p').retryOn, ['failed']);
});

void test('retry delays double from the base up to the maximum, with ±20 % jitter', () => {
  const p = { retryBackoffSeconds: 10, retryBackoffMaxSeconds: 60 };
  assert.deepEqual(
    [1, 2, 3, 4, 5].map((a) => retryDelayMs(a, p, () => 0.5)),
    [10_000, 20_000, 40_000, 60_000, 60_000],
  );
  assert.equal(
    retryDelayMs(1, p, () => 0),
    8_000,
  );
  assert.equal(
    retryDelayMs(1, p, () => 1),
    12_000,
  );
  assert.equal(
    retryDelayMs(3, { retryBackoffSeconds: 0, retryBackoffMaxSeconds: 60 }, () => 0.7),
    0,
  );
});

testEachStore('two racing submits with one unique key: the index lets exactly one in', {}, async (t, store) => {
  const db = await openTestDatabase(t, store);
  const jobs = createJobsRepo(db);
  const job = (runId: string) => ({
    runId,
    jobId: `job-${runId}`,
    project: 'p',
    spider: 's',
    versionRequested: null,
    settings: [],
    args: [['category', 'books']] as [string, string][],
    priority: 0,
    createdAt: 1,
    tags: [],
    uniqueKey: uniqueKeyOf('p', 's', [['category', 'books']], ['category']),
  });
  const results = await Promise.all(
    ['a'.repeat(32), 'b'.repeat(32), 'c'.repeat(32)].map((id) => jobs.insertUnique(job(id))),
  );
  assert.deepEqual(results.filter(Boolean).length, 1, JSON.stringify(results));
  // A different key is not blocked (a finished holder is not either: see the e2e test).
  assert.equal(
    await jobs.insertUnique({ ...job('d'.repeat(32)), uniqueKey: uniqueKeyOf('p', 's', [], ['category']) }),
    true,
  );
  assert.equal(uniqueKeyOf('p', 's', [['x', '1']], []), '["p","s"]');
});

/**
 * The sweep end to end within the master: the real job service, registry and database, and an agent session over a
 * real WebSocket whose far end records the frames the agent would get. The clock is the test's.
 */
async function sweepHarness(t: TestContext, store: Store) {
  const dir = mkdtempSync(join(tmpdir(), 'run-limits-'));
  const db = await openTestDatabase(t, store);
  const sink = new LogSink();
  const logger = pino({ level: 'silent' });
  const clock = { now: 1_000 };
  const now = () => clock.now;
  const events = new DomainEvents({ logger, now });
  const registry = new AgentRegistry(events);
  const policies = new PolicyStore(db, 0);
  await policies.load();
  const repo = createJobsRepo(db);
  const service = new JobService({
    jobs: repo,
    registry,
    policies,
    sink,
    files: { logsDir: join(dir, 'logs'), itemsDir: join(dir, 'items') },
    events,
    spiders: async () => ['s'],
    projectExists: async () => true,
    finishedToKeep: 100,
    logger,
    now,
  });

  // The agent's end of the socket: every frame it receives, in order.
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await once(wss, 'listening');
  const accepted = once(wss, 'connection') as Promise<[WebSocket]>;
  const agent = new WebSocket(`ws://127.0.0.1:${(wss.address() as { port: number }).port}`);
  const frames: { type: string; payload: unknown }[] = [];
  agent.on('message', (data: Buffer) => {
    const e = parseEnvelope(data.toString('utf8'));
    frames.push({ type: e.type, payload: e.payload });
  });
  await once(agent, 'open');
  const [socket] = await accepted;
  const session = new AgentSession({
    nodeId: 'n1',
    kind: 'permanent',
    slots: 4,
    tags: [],
    dedicated: false,
    hostname: 'h',
    address: '127.0.0.1',
    agentVersion: 'test',
    socket,
    sessionToken: 'token',
    now: clock.now,
  });
  registry.add(session);
  const limits = new RunLimits({ service, running: () => repo.listRunning(), events, logger, now, sweepMs: 3_600_000 });
  t.after(async () => {
    limits.stop();
    session.close(1000, 'test over');
    agent.terminate();
    await new Promise((r) => wss.close(r));
    sink.closeAll();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The cancel frames the agent got up to now: a marker sent after them arrives after them (one ordered socket). */
  let markers = 0;
  const cancels = async () => {
    const upToSeq = ++markers;
    session.send('events.ack', { upToSeq });
    while (!frames.some((f) => f.type === 'events.ack' && (f.payload as { upToSeq: number }).upToSeq === upToSeq)) {
      await once(agent, 'message');
    }
    return frames.filter((f) => f.type === 'job.cancel').map((f) => f.payload as { runId: string; signal: unknown });
  };
  /** A job queued, placed on n1 and started there at the clock's time. */
  const running = async (jobId: string) => {
    const ref = await service.submit({
      project: 'p',
      spider: 's',
      version: undefined,
      jobId,
      priority: 0,
      settings: [],
      args: [],
      tags: undefined,
    });
    assert.ok(await service.claim((await repo.byRunId(ref.runId))!, 'n1', 'v1'));
    await service.started((await repo.byRunId(ref.runId))!, 4242, clock.now);
    return (await repo.byRunId(ref.runId))!;
  };
  const at = async (ms: number) => {
    clock.now = ms;
    await limits.sweep();
  };
  return { clock, at, limits, service, repo, policies, events, running, cancels };
}

const policy = (o: Partial<PlacementPolicy>): PlacementPolicy => ({ ...NO_POLICY, ...o });

testEachStore(
  'the sweep stops a run past its maximum run time through its agent (timed_out), then kills it after the grace',
  {},
  async (t, store) => {
    const h = await sweepHarness(t, store);
    await h.policies.put('p', 's', policy({ maxRunSeconds: 10, killGraceSeconds: 3 }), 1);
    h.clock.now = 100_000;
    const row = await h.running('j1');
    await h.limits.start();

    await h.at(109_999);
    assert.deepEqual(await h.cancels(), [], 'not before its maximum run time');
    await h.at(110_000);
    assert.deepEqual(await h.cancels(), [{ runId: row.run_id, signal: 'SIGTERM' }], 'the polite stop, to its agent');
    const stopped = (await h.repo.byRunId(row.run_id))!;
    assert.equal(stopped.stop_outcome, 'timed_out');
    assert.match(stopped.stop_reason ?? '', /^ran longer than its maximum run time of 10 s; stopped by the master$/);

    // It ignores the signal: SIGKILL once the grace is over, and again every grace.
    await h.at(112_999);
    assert.equal((await h.cancels()).length, 1, 'nothing more within the grace');
    await h.at(113_000);
    assert.deepEqual((await h.cancels()).at(-1), { runId: row.run_id, signal: 'SIGKILL' });

    // Its end, as the agent reports it (killed), is the limit's outcome; a finished run is no longer swept.
    const ended = { endedAt: 113_500, startedAt: 100_000, exitCode: null, signal: 'SIGKILL', reason: 'killed' };
    assert.ok(await h.service.finish(stopped, { ...ended, outcome: 'cancelled' }));
    const done = (await h.repo.byRunId(row.run_id))!;
    assert.deepEqual([done.outcome, done.reason], ['timed_out', stopped.stop_reason]);
    await h.at(1_000_000);
    assert.equal((await h.cancels()).length, 2);
  },
);

testEachStore(
  'the sweep stops a run that made no progress for its stall window (stalled); output and new counters are progress',
  {},
  async (t, store) => {
    const h = await sweepHarness(t, store);
    await h.policies.put('p', 's', policy({ stallSeconds: 60 }), 1);
    h.clock.now = 1_000;
    const row = await h.running('j1');
    await h.limits.start(); // tracked at 1 000: its stall clock starts here
    const ref = { jobId: 'j1', runId: row.run_id, project: 'p', spider: 's' };
    const stats = (items: number, requests: number) => ({
      type: 'job.stats' as const,
      job: ref,
      nodeId: 'n1',
      final: false,
      sampledAt: h.clock.now,
      items,
      requests,
      responses: 0,
      errors: 0,
      finishReason: null,
    });

    h.clock.now = 4_000;
    h.events.publish(stats(3, 5));
    h.clock.now = 5_000;
    h.events.publish({ type: 'job.output', runId: row.run_id, stream: 'log', end: 100 }); // the last progress
    h.clock.now = 7_000;
    h.events.publish(stats(3, 5)); // the same snapshot again: not progress
    // A limit lowered while the job runs applies at the next sweep.
    await h.at(9_999);
    assert.deepEqual(await h.cancels(), []);
    await h.policies.put('p', 's', policy({ stallSeconds: 5 }), 2);
    await h.at(9_999);
    assert.deepEqual(await h.cancels(), [], 'less than 5 s since its last output (5 000)');
    await h.at(10_000);
    assert.deepEqual(await h.cancels(), [{ runId: row.run_id, signal: 'SIGTERM' }]);
    const stopped = (await h.repo.byRunId(row.run_id))!;
    assert.equal(stopped.stop_outcome, 'stalled');
    assert.match(
      stopped.stop_reason ?? '',
      /no new log or items bytes, requests or items for 5 s; stopped by the master/,
    );
    // The crawl ended on the signal, as Scrapy does: the outcome is the limit's.
    const ended = { endedAt: 10_500, startedAt: 1_000, exitCode: 0, signal: null, reason: null };
    assert.ok(await h.service.finish(stopped, { ...ended, outcome: 'succeeded' }));
    assert.equal((await h.repo.byRunId(row.run_id))!.outcome, 'stalled');
  },
);
