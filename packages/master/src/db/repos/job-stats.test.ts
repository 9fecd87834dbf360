import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { EMPTY_EXCEPTIONS, type CrawlStats } from '@scrapyard/protocol';
import { summarize } from '../../jobs/stats-summary.js';
import { openTestDatabase, testEachStore, type Store } from '../stores.test-support.js';
import { createJobStatsRepo, type StoredJobStats } from './job-stats.js';
import { createJobsRepo } from './jobs.js';

const RUN = (c: string) => c.repeat(32);

async function setup(t: TestContext, store: Store) {
  const db = await openTestDatabase(t, store);
  const jobs = createJobsRepo(db);
  const stats = createJobStatsRepo(db);
  /** A job claimed on n1 (running), its row. */
  const running = async (runId: string, jobId: string) => {
    await jobs.insertPending({
      runId,
      jobId,
      project: 'p',
      spider: 's',
      versionRequested: null,
      settings: [],
      args: [],
      priority: 0,
      createdAt: 1,
      tags: [],
    });
    const row = (await jobs.byRunId(runId))!;
    assert.ok(await jobs.claim(row.seq, 'n1', 'v', 2));
    return row;
  };
  return { jobs, stats, running };
}

function snapshot(
  runId: string,
  jobSeq: number,
  items: number,
  final: boolean,
  extra: CrawlStats = {},
): StoredJobStats {
  const stats: CrawlStats = { item_scraped_count: items, 'downloader/request_count': items + 1, ...extra };
  const summary = summarize(stats, EMPTY_EXCEPTIONS, 1_000 + items, final);
  return {
    runId,
    jobSeq,
    nodeId: 'n1',
    at: summary.at,
    final,
    source: final ? 'dump' : 'live',
    summary,
    stats,
    series: [{ at: summary.at, items, requests: items + 1, responses: 0, errors: 0 }],
    exceptions: EMPTY_EXCEPTIONS,
  };
}

testEachStore('stats: latest snapshot per run; a final one is never replaced by a live one', {}, async (t, store) => {
  const { stats, running } = await setup(t, store);
  const row = await running(RUN('a'), 'j1');
  assert.equal(await stats.get(RUN('a')), undefined);
  assert.ok(await stats.put(snapshot(RUN('a'), row.seq, 1, false)));
  assert.ok(await stats.put(snapshot(RUN('a'), row.seq, 5, false)));
  assert.equal((await stats.get(RUN('a')))!.summary.items, 5);
  const final = snapshot(RUN('a'), row.seq, 7, true, { finish_reason: 'finished' });
  assert.ok(await stats.put(final));
  assert.equal(await stats.put(snapshot(RUN('a'), row.seq, 9, false)), false, 'a late live report changes nothing');
  const got = (await stats.get(RUN('a')))!;
  assert.deepEqual(got, final);
  assert.equal(got.summary.finishReason, 'finished');
  // A replayed final (after a reconnect) is harmless.
  assert.ok(await stats.put(final));

  const b = await running(RUN('b'), 'j2');
  await stats.put(snapshot(RUN('b'), b.seq, 3, false));
  const map = await stats.summaries([RUN('a'), RUN('b'), RUN('c'), RUN('a')]);
  assert.deepEqual([...map.keys()].sort(), [RUN('a'), RUN('b')]);
  assert.equal(map.get(RUN('b'))!.items, 3);
  assert.equal((await stats.summaries([])).size, 0);
});

testEachStore(
  'stats: trimmed finished jobs and deleted pending jobs take their stats with them',
  {},
  async (t, store) => {
    const { jobs, stats, running } = await setup(t, store);
    const end = (endedAt: number) => ({
      endedAt,
      startedAt: 2,
      exitCode: 0,
      signal: null,
      outcome: 'succeeded',
      reason: null,
    });
    const a = await running(RUN('a'), 'j1');
    const b = await running(RUN('b'), 'j2');
    await stats.put(snapshot(RUN('a'), a.seq, 1, true));
    await stats.put(snapshot(RUN('b'), b.seq, 2, true));
    assert.ok(await jobs.markFinished(RUN('a'), end(10), 5));
    assert.ok(await jobs.markFinished(RUN('b'), end(20), 1));
    assert.deepEqual(await stats.runIds(), [RUN('b')], 'the trimmed job a lost its stats, b kept its own');

    // A requeued job deleted while pending: its earlier attempt's stats go too.
    const c = await running(RUN('c'), 'j3');
    await stats.put(snapshot(RUN('c'), c.seq, 1, false));
    const lostAt = { endedAt: 30, outcome: 'lost' };
    assert.ok(await jobs.requeue(RUN('c'), RUN('d'), { countAttempt: true, reason: 'gone', ...lostAt }));
    assert.equal((await jobs.deletePending('p', 'j3')).length, 1);
    assert.deepEqual(await stats.runIds(), [RUN('b')]);
  },
);
