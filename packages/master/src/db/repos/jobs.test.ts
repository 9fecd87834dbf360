import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { openTestDatabase, testEachStore, type Store } from '../stores.test-support.js';
import { createJobsRepo } from './jobs.js';

const RUN = (c: string) => c.repeat(32);

async function repo(t: TestContext, store: Store) {
  const db = await openTestDatabase(t, store);
  const jobs = createJobsRepo(db);
  const add = (runId: string, jobId: string, tags: string[] = [], priority = 0, project = 'p') =>
    jobs.insertPending({
      runId,
      jobId,
      project,
      spider: 's',
      versionRequested: null,
      settings: [],
      args: [],
      priority,
      createdAt: 1,
      tags,
    });
  return { jobs, add };
}

const lost = { endedAt: 9, startedAt: null, exitCode: null, signal: null, outcome: 'lost', reason: 'gone' };

testEachStore('requeue keeps the queue place, changes the run id and counts the attempt', {}, async (t, store) => {
  const { jobs, add } = await repo(t, store);
  await add(RUN('a'), 'j1');
  await add(RUN('b'), 'j2');
  const [first] = await jobs.nextPending(1);
  assert.ok(await jobs.claim(first!.seq, 'n1', 'v', 2));
  const lostAt = { endedAt: 5, outcome: 'lost' };
  assert.ok(await jobs.requeue(RUN('a'), RUN('c'), { countAttempt: true, reason: 'node gone', ...lostAt }));
  assert.equal(await jobs.byRunId(RUN('a')), undefined);
  const [again] = await jobs.nextPending(1);
  assert.equal(again!.run_id, RUN('c'));
  assert.equal(again!.seq, first!.seq);
  assert.equal(again!.attempt, 2);
  assert.equal(again!.node_id, null);
  // A run that never started doesn't use up an attempt.
  assert.ok(await jobs.claim(again!.seq, 'n1', 'v', 3));
  assert.ok(await jobs.requeue(RUN('c'), RUN('d'), { countAttempt: false, reason: 'unknown to agent', ...lostAt }));
  assert.equal((await jobs.byRunId(RUN('d')))!.attempt, 2);
  // Only running jobs can be requeued.
  assert.equal(await jobs.requeue(RUN('d'), RUN('e'), { countAttempt: true, reason: 'x', ...lostAt }), undefined);
  // Both runs that ended are kept as the job's earlier attempts, in order.
  const row = (await jobs.byRunId(RUN('d')))!;
  assert.deepEqual(
    (await jobs.attemptsOf(row.seq)).map((a) => [a.run_id, a.attempt, a.node_id, a.outcome, a.reason]),
    [
      [RUN('a'), 1, 'n1', 'lost', 'node gone'],
      [RUN('c'), 2, 'n1', 'lost', 'unknown to agent'],
    ],
  );
  assert.equal(row.reason, 'attempt 2 lost (unknown to agent); requeued');
});

testEachStore(
  'a guessed lost ending is replaced by the real one, and a lost run can come back',
  {},
  async (t, store) => {
    const { jobs, add } = await repo(t, store);
    await add(RUN('a'), 'j1');
    await add(RUN('b'), 'j2');
    for (const j of await jobs.nextPending(2)) await jobs.claim(j.seq, 'n1', 'v', 2);
    assert.ok(await jobs.markFinished(RUN('a'), lost, 100));
    const real = { endedAt: 10, startedAt: 2, exitCode: 0, signal: null, outcome: 'succeeded', reason: null };
    assert.ok(await jobs.markFinished(RUN('a'), real, 100));
    assert.equal((await jobs.byRunId(RUN('a')))!.outcome, 'succeeded');
    assert.equal(await jobs.markFinished(RUN('a'), lost, 100), false, 'a real ending is final');

    assert.ok(await jobs.markFinished(RUN('b'), lost, 100));
    assert.ok(await jobs.resurrect(RUN('b'), 'n2'));
    const back = (await jobs.byRunId(RUN('b')))!;
    assert.equal(back.state, 'running');
    assert.equal(back.node_id, 'n2');
    assert.equal(back.outcome, null);
    assert.equal(await jobs.resurrect(RUN('b'), 'n2'), false, 'only a lost, finished run comes back');
  },
);

testEachStore(
  'pending classes group jobs by tags, project and spider; nextPendingIn filters by them',
  {},
  async (t, store) => {
    const { jobs, add } = await repo(t, store);
    await add(RUN('a'), 'j1', ['gpu'], 5);
    await add(RUN('b'), 'j2', [], 1);
    await add(RUN('c'), 'j3', ['gpu'], 0);
    const classes = await jobs.pendingClasses();
    assert.equal(classes.length, 2);
    const untagged = classes.filter((c) => c.tags === '[]');
    assert.deepEqual(
      (await jobs.nextPendingIn(untagged, 10)).map((j) => j.job_id),
      ['j2'],
    );
    assert.deepEqual(
      (await jobs.nextPendingIn(null, 10)).map((j) => j.job_id),
      ['j1', 'j2', 'j3'],
    );
  },
);

testEachStore(
  'dispatch order is global: priority desc across projects, ties in arrival order',
  {},
  async (t, store) => {
    const { jobs, add } = await repo(t, store);
    // Inserted out of priority order, alternating projects, with ties inside and across projects.
    const arrivals: [string, string, number][] = [
      ['a-low', 'a', -1],
      ['b-zero', 'b', 0],
      ['a-mid', 'a', 1],
      ['b-high', 'b', 10],
      ['b-mid', 'b', 1],
      ['a-zero', 'a', 0],
      ['a-high', 'a', 10],
    ];
    for (const [i, [jobId, project, priority]] of arrivals.entries()) {
      await add(String(i).repeat(32), jobId, [], priority, project);
    }
    const expected = ['b-high', 'a-high', 'a-mid', 'b-mid', 'b-zero', 'a-zero', 'a-low'];
    assert.deepEqual(
      (await jobs.nextPending(10)).map((j) => j.job_id),
      expected,
    );
    assert.deepEqual(
      (await jobs.nextPendingIn(null, 10)).map((j) => j.job_id),
      expected,
      'what the dispatcher reads',
    );
    assert.deepEqual(
      (await jobs.nextPendingIn(await jobs.pendingClasses(), 10)).map((j) => j.job_id),
      expected,
      'restricted to classes, the order holds',
    );
    assert.deepEqual(
      (await jobs.listPending()).map((j) => j.job_id),
      expected,
      'listjobs shows the same order',
    );
    // Taking jobs one at a time, as slots free up, follows the same order.
    const started: string[] = [];
    for (let next = await jobs.nextPendingIn(null, 1); next.length > 0; next = await jobs.nextPendingIn(null, 1)) {
      assert.ok(await jobs.claim(next[0]!.seq, 'n1', 'v', 2));
      started.push(next[0]!.job_id);
    }
    assert.deepEqual(started, expected);
  },
);

testEachStore('a run requeued twice at once is requeued once', {}, async (t, store) => {
  const { jobs, add } = await repo(t, store);
  for (let i = 0; i < 10; i++) {
    const run = String(i).repeat(32);
    await add(run, `j${i}`);
    const [row] = await jobs.nextPending(1);
    assert.ok(await jobs.claim(row!.seq, 'n1', 'v', 2));
    const o = { countAttempt: true, reason: 'node gone', endedAt: 3, outcome: 'lost' };
    const results = await Promise.all([
      jobs.requeue(run, `${run}-x`.slice(-32), o),
      jobs.requeue(run, `${run}-y`.slice(-32), o),
    ]);
    assert.equal(results.filter((r) => r !== undefined).length, 1, 'one requeue wins, the other finds nothing');
    assert.equal((await jobs.attemptsOf(row!.seq)).length, 1);
    await jobs.deletePending('p', `j${i}`);
  }
});

testEachStore('a finish and the trim to finished_to_keep commit together', {}, async (t, store) => {
  const { jobs, add } = await repo(t, store);
  for (const [i, c] of ['a', 'b', 'c'].entries()) {
    await add(RUN(c), `j${c}`);
    const [row] = await jobs.nextPending(1);
    assert.ok(await jobs.claim(row!.seq, 'n1', 'v', 2));
    const real = { endedAt: 10 + i, startedAt: 2, exitCode: 0, signal: null, outcome: 'succeeded', reason: null };
    assert.ok(await jobs.markFinished(RUN(c), real, c === 'c' ? 0 : 1));
    const finished = (await jobs.listFinished()).map((j) => j.job_id);
    assert.deepEqual(finished, c === 'c' ? [] : [`j${c}`], 'only the newest is kept, and with 0 none');
  }
});
