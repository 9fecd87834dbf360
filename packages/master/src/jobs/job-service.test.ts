import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { pino } from 'pino';
import { openTestDatabase, testEachStore, type Store } from '../db/stores.test-support.js';
import { createJobsRepo } from '../db/repos/jobs.js';
import { DomainEvents, type Published } from '../events/domain-events.js';
import { AgentRegistry } from '../registry/registry.js';
import { NO_POLICY, type PlacementPolicy } from '@scrapyard/protocol';
import { PolicyStore } from '../projects/policy-store.js';
import { JobService } from './job-service.js';
import type { SubmitInput } from './job-submission.js';
import { LogSink } from './log-sink.js';

async function setup(t: TestContext, store: Store, o: { finishedToKeep?: number; retries?: number } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'job-service-'));
  const db = await openTestDatabase(t, store);
  const sink = new LogSink();
  t.after(() => {
    sink.closeAll();
    rmSync(dir, { recursive: true, force: true });
  });
  const logger = pino({ level: 'silent' });
  let now = 1_000;
  const events = new DomainEvents({ logger, now: () => now });
  const seen: Published[] = [];
  events.subscribe((e) => seen.push(e));
  const policies = new PolicyStore(db, o.retries ?? 0);
  await policies.load();
  const repo = createJobsRepo(db);
  const files = { logsDir: join(dir, 'logs'), itemsDir: join(dir, 'items') };
  const service = new JobService({
    jobs: repo,
    registry: new AgentRegistry(events),
    policies,
    sink,
    files,
    events,
    spiders: async (project) => (project === 'p' ? ['s'] : []),
    projectExists: async (project) => project === 'p',
    finishedToKeep: o.finishedToKeep ?? 100,
    logger,
    now: () => now++,
  });
  const submit = (jobId: string, more: Partial<SubmitInput> = {}) =>
    service.submit({
      project: 'p',
      spider: 's',
      version: undefined,
      jobId,
      priority: 0,
      settings: [],
      args: [],
      tags: undefined,
      ...more,
    });
  /** A job queued, claimed by node n1 and started there. */
  const running = async (jobId: string, more: Partial<SubmitInput> = {}) => {
    const row = (await repo.byRunId((await submit(jobId, more)).runId))!;
    assert.ok(await service.claim(row, 'n1', 'v1'));
    const claimed = (await repo.byRunId(row.run_id))!;
    await service.started(claimed, 4242, now);
    return (await repo.byRunId(row.run_id))!;
  };
  const types = () => seen.map((e) => e.type);
  return { service, repo, seen, types, submit, running, files, sink, policies };
}

const ended = (outcome: string) => ({
  endedAt: 9_000,
  startedAt: null,
  exitCode: outcome === 'succeeded' ? 0 : null,
  signal: null,
  outcome,
  reason: null,
});

testEachStore(
  'each transition is announced once, after it is committed; replays announce nothing',
  {},
  async (t, store) => {
    const { service, repo, seen, types, running, files } = await setup(t, store);
    const row = await running('j1');
    assert.deepEqual(types(), ['job.queued', 'job.started']);
    // The crawl's files exist from its start (log_url and items_url of a running job).
    assert.ok(existsSync(join(files.logsDir, 'p', 's', 'j1.log')));
    assert.ok(existsSync(join(files.itemsDir, 'p', 's', 'j1.jl')));
    await service.started(row, 4242, 5); // a replayed report
    assert.ok(await service.finish(row, ended('succeeded')));
    assert.equal(await service.finish(row, ended('succeeded')), false, 'a replayed finish changes nothing');
    assert.deepEqual(types(), ['job.queued', 'job.started', 'job.finished']);
    const finished = seen.at(-1) as Published<'job.finished'>;
    assert.deepEqual(
      { outcome: finished.outcome, nodeId: finished.nodeId, attempt: finished.attempt, job: finished.job.jobId },
      { outcome: 'succeeded', nodeId: 'n1', attempt: 1, job: 'j1' },
    );
    assert.equal((await repo.byRunId(row.run_id))!.state, 'finished');
    // Numbered in order.
    assert.deepEqual(
      seen.map((e) => e.seq),
      [1, 2, 3],
    );
  },
);

testEachStore(
  'a guessed lost ending is one finish, the real ending another; a lost run can resume',
  {},
  async (t, store) => {
    const { service, seen, types, running } = await setup(t, store);
    const row = await running('j1');
    await service.lose(row, 'node gone', { countAttempt: true });
    assert.equal((seen.at(-1) as Published<'job.finished'>).outcome, 'lost', 'no retries: finished as lost');
    assert.ok(await service.resume(row, 'n1'));
    assert.equal(await service.resume(row, 'n1'), false, 'only once');
    assert.ok(await service.finish(row, ended('succeeded')));
    assert.deepEqual(types(), ['job.queued', 'job.started', 'job.finished', 'job.resumed', 'job.finished']);
  },
);

testEachStore('losing a run with retries left requeues it, keeps the attempt and its files', {}, async (t, store) => {
  const { service, repo, seen, types, running, files } = await setup(t, store, { retries: 1 });
  const row = await running('j1');
  await service.lose(row, 'node gone', { countAttempt: true });
  const requeued = seen.at(-1) as Published<'job.requeued'>;
  assert.equal(requeued.type, 'job.requeued');
  assert.equal(requeued.previousRunId, row.run_id);
  assert.equal(requeued.attempt, 2);
  const again = (await repo.byRunId(requeued.job.runId))!;
  assert.deepEqual([again.state, again.attempt, again.seq], ['pending', 2, row.seq]);
  assert.deepEqual(
    (await service.attempts(again)).map((a) => [a.run_id, a.attempt, a.outcome, a.reason]),
    [[row.run_id, 1, 'lost', 'node gone']],
  );
  assert.deepEqual(readdirSync(join(files.logsDir, 'p', 's')).sort(), ['j1.attempt-1.log']);
  // The second loss is over the retries: finished as lost.
  assert.ok(await service.claim(again, 'n1', 'v1'));
  await service.lose((await repo.byRunId(again.run_id))!, 'node gone again', { countAttempt: true });
  assert.deepEqual(types().slice(-2), ['job.requeued', 'job.finished']);
  assert.equal((await repo.byRunId(again.run_id))!.outcome, 'lost');
});

testEachStore(
  'cancel: pending removed (and its attempts), running signalled; unknown project refused',
  {},
  async (t, store) => {
    const { service, repo, seen, submit, running } = await setup(t, store);
    const pending = await submit('j1');
    assert.deepEqual(await service.cancel('p', 'j1', 'TERM'), { prevstate: 'pending' });
    assert.equal(await repo.byRunId(pending.runId), undefined);
    const cancelled = seen.at(-1) as Published<'job.cancelled'>;
    assert.deepEqual([cancelled.previousState, cancelled.signal, cancelled.why], ['pending', null, 'cancelled']);

    await running('j2');
    assert.deepEqual(await service.cancel('p', 'j2', undefined), { prevstate: 'running' });
    assert.deepEqual(await service.cancel('p', 'j2', undefined), { prevstate: 'running' });
    const signals = seen.filter((e) => e.type === 'job.cancelled').map((e) => (e as Published<'job.cancelled'>).signal);
    assert.deepEqual(signals, [null, 'SIGINT', 'SIGKILL'], 'the second cancel of a running job kills');

    await assert.rejects(service.cancel('nope', 'j2', undefined), { code: 'PROJECT_NOT_FOUND' });
    await assert.rejects(service.cancel('p', 'j2', 'BOGUS'), /signal 'BOGUS'/);
    await assert.rejects(
      service.submit({
        project: 'p',
        spider: 'ghost',
        version: undefined,
        jobId: undefined,
        priority: 0,
        settings: [],
        args: [],
        tags: undefined,
      }),
      { code: 'SPIDER_NOT_FOUND', message: "spider 'ghost' not found" },
    );
  },
);

testEachStore(
  'a run the master stopped for a limit fails for that reason, however its process ended',
  {},
  async (t, store) => {
    const { service, repo, seen, running } = await setup(t, store);
    const row = await running('j1');
    await service.stop(row, 'SIGTERM', 'its log exceeded max_job_output_bytes (1024 bytes); stopped by the master');
    // The agent reports a cancelled crawl (it got the signal).
    assert.ok(await service.finish(row, { ...ended('cancelled'), reason: 'cancelled; process ended by SIGTERM' }));
    const done = (await repo.byRunId(row.run_id))!;
    assert.deepEqual(
      [done.outcome, done.reason],
      ['failed', 'its log exceeded max_job_output_bytes (1024 bytes); stopped by the master'],
    );
    assert.equal((seen.at(-1) as Published<'job.finished'>).outcome, 'failed');
  },
);

testEachStore('finished jobs beyond finished_to_keep are trimmed with their attempts', {}, async (t, store) => {
  const { service, repo, running } = await setup(t, store, { finishedToKeep: 1, retries: 1 });
  const first = await running('j1');
  await service.lose(first, 'node gone', { countAttempt: true });
  const retry = (await repo.latestByJobId('j1'))!;
  assert.equal((await service.attempts(retry)).length, 1);
  assert.ok(await service.claim(retry, 'n1', 'v1'));
  assert.ok(await service.finish((await repo.byRunId(retry.run_id))!, ended('succeeded')));
  const second = await running('j2');
  assert.ok(await service.finish(second, { ...ended('succeeded'), endedAt: 10_000 }));
  assert.equal(await repo.latestByJobId('j1'), undefined, 'the older finished job is trimmed');
  assert.deepEqual(await service.attempts(retry), [], 'and its attempts with it');
  assert.equal((await repo.latestByJobId('j2'))!.state, 'finished');
});

/** Whether this process holds `path` open (Linux: the targets of /proc/self/fd). */
function isOpen(path: string): boolean {
  return readdirSync('/proc/self/fd').some((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`) === path;
    } catch {
      return false;
    }
  });
}

testEachStore(
  'a pending job removed (cancelled, or its project deleted) leaves none of its files open',
  {},
  async (t, store) => {
    const { service, submit, files, sink } = await setup(t, store);
    for (const [jobId, remove] of [
      ['j1', () => service.cancel('p', 'j1', undefined)],
      ['j2', () => service.purgeProject('p')],
    ] as const) {
      await submit(jobId);
      // Something had its files open meanwhile (e.g. an earlier run of the job, or a reconnecting agent's resume).
      const log = join(files.logsDir, 'p', 's', `${jobId}.log`);
      const items = join(files.itemsDir, 'p', 's', `${jobId}.jl`);
      sink.size(log);
      sink.size(items);
      assert.ok(isOpen(log) && isOpen(items));
      await remove();
      assert.deepEqual([isOpen(log), isOpen(items)], [false, false], `${jobId}: no handle left behind`);
    }
  },
);

/** A policy that sets only `o` (everything else inherits). */
const policy = (o: Partial<PlacementPolicy>): PlacementPolicy => ({ ...NO_POLICY, ...o });

testEachStore('a finish is retried only for the outcomes in retryOn', {}, async (t, store) => {
  // Retries left in both cases: only retryOn decides.
  const { service, repo, seen, types, running, policies } = await setup(t, store, { retries: 2 });

  // The default retryOn is ['lost']: a failed crawl finishes failed, at once.
  const failed = await running('j1');
  assert.deepEqual(service.limitsOf(failed).retryOn, ['lost']);
  assert.ok(await service.finish(failed, ended('failed')));
  assert.deepEqual(types().slice(-1), ['job.finished'], 'a failed finish with retryOn [lost] is not retried');
  assert.deepEqual(
    [(await repo.byRunId(failed.run_id))!.state, (await repo.byRunId(failed.run_id))!.outcome],
    ['finished', 'failed'],
  );
  // Nor with an explicit ['lost'] of the job's own, or a spider policy retrying another outcome.
  const ownLost = await running('j2', { policy: { retryOn: ['lost'] } });
  assert.ok(await service.finish(ownLost, ended('failed')));
  assert.equal((await repo.byRunId(ownLost.run_id))!.outcome, 'failed');
  await policies.put('p', 's', policy({ retryOn: ['timed_out'] }), 1);
  const otherOutcome = await running('j3');
  assert.ok(await service.finish(otherOutcome, ended('failed')));
  assert.equal((await repo.byRunId(otherOutcome.run_id))!.outcome, 'failed');
  assert.ok(!types().includes('job.requeued'), `nothing requeued: ${types().join(' ')}`);

  // retryOn ['failed']: the same ending is retried (requeued as attempt 2, not finished).
  await policies.put('p', 's', policy({ retryOn: ['failed'] }), 2);
  const retried = await running('j4');
  const before = seen.length;
  assert.ok(await service.finish(retried, ended('failed')));
  assert.deepEqual(types().slice(before), ['job.requeued']);
  const next = (await repo.latestByJobId('j4'))!;
  assert.deepEqual([next.state, next.attempt], ['pending', 2]);
  assert.deepEqual(
    (await service.attempts(next)).map((a) => [a.attempt, a.outcome]),
    [[1, 'failed']],
  );
  // A succeeded crawl is never retried, whatever retryOn says.
  const ok = await running('j5');
  assert.ok(await service.finish(ok, ended('succeeded')));
  assert.equal((await repo.byRunId(ok.run_id))!.outcome, 'succeeded');
});

testEachStore(
  'a unique key refuses a second pending or running job (DUPLICATE_JOB) until the first has finished',
  {},
  async (t, store) => {
    const { service, repo, seen, submit, policies } = await setup(t, store, { retries: 1 });
    await policies.put('p', 's', policy({ uniqueArgs: ['category'], retryOn: ['failed'] }), 1);
    const books = { args: [['category', 'books']] as [string, string][] };
    const duplicate = (jobId: string, holder: string, state: string) =>
      assert.rejects(submit(jobId, { args: [...books.args, ['page', '2']] }), (e: Error & { code?: string }) => {
        assert.equal(e.code, 'DUPLICATE_JOB');
        assert.match(e.message, new RegExp(`^job ${holder} \\(${state}\\) already has this unique key`));
        return true;
      });

    // A pending holder.
    const first = await submit('b1', books);
    const queued = seen.length;
    await duplicate('b2', 'b1', 'pending');
    assert.equal(await repo.latestByJobId('b2'), undefined, 'nothing stored');
    assert.equal(seen.length, queued, 'nothing announced');
    // Another value of the key's arguments is another key; arguments outside the key don't count.
    await submit('m1', { args: [['category', 'music']] });
    // A job's own policy can't lift its spider's key by leaving it out (null inherits).
    await assert.rejects(submit('b3', { ...books, policy: { retries: 0 } }), { code: 'DUPLICATE_JOB' });

    // A running holder.
    const row = (await repo.byRunId(first.runId))!;
    assert.ok(await service.claim(row, 'n1', 'v1'));
    await service.started((await repo.byRunId(row.run_id))!, 4242, 5);
    await duplicate('b4', 'b1', 'running');
    // A holder waiting for its retry is pending again and still holds the key.
    assert.ok(await service.finish((await repo.byRunId(row.run_id))!, ended('failed')));
    await duplicate('b5', 'b1', 'pending');

    // Once it has finished, the key is free.
    const retry = (await repo.latestByJobId('b1'))!;
    assert.ok(await service.claim(retry, 'n1', 'v1'));
    assert.ok(await service.finish((await repo.byRunId(retry.run_id))!, ended('succeeded')));
    const again = await submit('b6', books);
    assert.equal((await repo.byRunId(again.runId))!.state, 'pending');
    // And the new job holds it in turn.
    await duplicate('b7', 'b6', 'pending');
    // Without the policy there is no key: the same arguments queue twice.
    await policies.put('p', 's', policy({}), 2);
    await submit('b8', books);
    await submit('b9', books);
  },
);
