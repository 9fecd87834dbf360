/** The baseline a spider's page shows is the one items rules use: succeeded runs with the newest run's arguments. */
import assert from 'node:assert/strict';
import { EMPTY_EXCEPTIONS } from '@scrapyard/protocol';
import { summarize } from '../jobs/stats-summary.js';
import { createAlertsRepo } from '../db/repos/alerts.js';
import { createJobStatsRepo } from '../db/repos/job-stats.js';
import { createJobsRepo } from '../db/repos/jobs.js';
import { openTestDatabase, testEachStore } from '../db/stores.test-support.js';
import { spiderBaseline } from './spider-baseline.js';

testEachStore(
  'spider baseline: last succeeded runs with the newest run arguments, and their median',
  {},
  async (t, store) => {
    const db = await openTestDatabase(t, store);
    const jobs = createJobsRepo(db);
    const stats = createJobStatsRepo(db);
    const repo = createAlertsRepo(db);
    const at = { project: 'p', spider: 's', runs: 3, now: 1_000_000 };
    assert.deepEqual(await spiderBaseline(repo, at), {
      project: 'p',
      spider: 's',
      runs: 3,
      args: null,
      items: [],
      median: null,
    });

    let n = 0;
    const run = async (items: number, outcome: string, args: [string, string][] = []) => {
      n++;
      const runId = String(n).repeat(32).slice(0, 32);
      const endedAt = 10_000 * n;
      await jobs.insertPending({
        runId,
        jobId: `j${n}`,
        project: 'p',
        spider: 's',
        versionRequested: null,
        settings: [],
        args,
        priority: 0,
        createdAt: endedAt - 2000,
        tags: [],
      });
      const row = (await jobs.byRunId(runId))!;
      assert.ok(await jobs.claim(row.seq, 'n1', 'v1', endedAt - 1000));
      const crawl = { item_scraped_count: items };
      const summary = summarize(crawl, EMPTY_EXCEPTIONS, endedAt, true);
      await stats.put({
        ...{ runId, jobSeq: row.seq, nodeId: 'n1', at: endedAt, final: true, source: 'dump' as const },
        ...{ summary, stats: crawl, series: [], exceptions: EMPTY_EXCEPTIONS },
      });
      const end = { endedAt, startedAt: endedAt - 1000, exitCode: 0, signal: null, reason: null };
      assert.ok(await jobs.markFinished(runId, { ...end, outcome }, 100));
    };
    await run(100, 'succeeded');
    await run(7, 'succeeded', [['cat', 'books']]);
    await run(50, 'failed');
    await run(30, 'succeeded');
    await run(20, 'succeeded');
    await run(10, 'succeeded');
    const b = await spiderBaseline(repo, at);
    assert.deepEqual(b.args, {});
    assert.deepEqual(b.items, [10, 20, 30], 'the newest 3 succeeded runs without arguments, newest first');
    assert.equal(b.median, 20);

    await run(9, 'failed', [['cat', 'books']]);
    const books = await spiderBaseline(repo, { ...at, runs: 5 });
    assert.deepEqual(books.args, { cat: 'books' });
    assert.deepEqual(books.items, [7], 'only the runs with the newest run arguments');
    assert.equal(books.median, 7);
  },
);
