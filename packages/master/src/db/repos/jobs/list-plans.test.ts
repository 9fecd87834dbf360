/**
 * The job list's pages never read the jobs table whole (migration 0011, list-page.ts): with a history big enough
 * for the planner to care, and statistics, each common page's plan is a range of an index or of the primary key,
 * on both stores. A query or index change that brings back a table scan fails here, not at 100,000 jobs.
 */
import assert from 'node:assert/strict';
import { openTestDatabase, testEachStore } from '../../stores.test-support.js';
import { explain, tableScans } from '../../query-plans.js';
import { createJobsRepo } from '../jobs.js';
import { insertJobHistory } from './job-history.test-support.js';
import { pageQuery, type PageQuery } from './list-page.js';
import { endedBetweenQuery } from './reads.js';

/**
 * The pages the UI asks for most (docs/ui-data.md shows their plans). Those with an equality filter must range
 * over an index on it: a walk of the primary key filtered row by row would read the whole table to fill a page of
 * a rare project. (SQLite's planner is deterministic, so that is asserted on SQLite; PostgreSQL weighs its
 * statistics and may rightly walk the primary key for a common value, so there only the table scan is refused.)
 */
const COMMON_PAGES: Record<string, { f: Omit<PageQuery, 'limit'>; equality: boolean }> = {
  'first page': { f: {}, equality: false },
  'next page': { f: { before: 15_000 }, equality: false },
  'by project': { f: { project: 'project3' }, equality: true },
  'by project, next page': { f: { project: 'project3', before: 15_000 }, equality: true },
  'by state': { f: { states: ['running'] }, equality: true },
  'by states': { f: { states: ['pending', 'running'] }, equality: true },
  'by project and spider': { f: { project: 'project3', spider: 'spider3' }, equality: true },
  'by project and state': { f: { project: 'project3', states: ['finished'] }, equality: true },
  failures: { f: { outcome: 'failed' }, equality: false },
  'scoped caller': { f: { visible: new Set(['project1', 'project2']) }, equality: true },
};

/** SQLite lines that read jobs by a range of the primary key alone, or of an index without an equality. */
const withoutEquality = (plan: string[]) =>
  plan.filter((l) => /^(SEARCH|SCAN) jobs\b/.test(l) && !/USING (COVERING )?INDEX \w+ \(\w+=\?/.test(l));

testEachStore(
  'the common pages of the job list use an index, never a table scan',
  { timeout: 120_000 },
  async (t, store) => {
    const db = await openTestDatabase(t, store);
    await insertJobHistory(db, { finished: 20_000, running: 40, pending: 60 });
    for (const [name, { f, equality }] of Object.entries(COMMON_PAGES)) {
      const plan = await explain(db, pageQuery(db, { ...f, limit: 100 })!);
      const why = `${name} (${store}):\n${plan.join('\n')}`;
      assert.deepEqual(tableScans(plan, 'jobs'), [], why);
      if (equality && store === 'sqlite') assert.deepEqual(withoutEquality(plan), [], why);
    }
    // The overview's count of the jobs that ended today: a range of jobs_finished (state, ended_at).
    const hour = await db.selectFrom('jobs').select('ended_at').where('seq', '=', 15_000).executeTakeFirstOrThrow();
    for (const visible of ['*', new Set(['project1', 'project2'])] as const) {
      const plan = await explain(db, endedBetweenQuery(db, hour.ended_at!, hour.ended_at! + 3_600_000, visible));
      assert.deepEqual(tableScans(plan, 'jobs'), [], `ended today (${store}):\n${plan.join('\n')}`);
    }
    // The plan checker itself sees a scan when there is one.
    const scan = await explain(db, db.selectFrom('jobs').selectAll().where('args', '=', '[]'));
    assert.equal(tableScans(scan, 'jobs').length, 1, scan.join('\n'));
  },
);

testEachStore(
  'a page over several states or projects is their union, newest first, cursor and all',
  {},
  async (t, store) => {
    const db = await openTestDatabase(t, store);
    await insertJobHistory(db, { finished: 300, running: 30, pending: 30, projects: 3 });
    const jobs = createJobsRepo(db);
    const all = await jobs.page({ limit: 1_000 });
    const walk = async (f: Omit<PageQuery, 'limit' | 'before'>) => {
      const seen: number[] = [];
      let before: number | undefined;
      for (;;) {
        const page = await jobs.page({ ...f, limit: 7, before });
        seen.push(...page.map((j) => j.seq));
        if (page.length < 7) return seen;
        before = page.at(-1)!.seq;
      }
    };
    const expect = (keep: (j: (typeof all)[number]) => boolean) => all.filter(keep).map((j) => j.seq);
    assert.deepEqual(
      await walk({ states: ['running', 'pending'] }),
      expect((j) => j.state !== 'finished'),
    );
    assert.deepEqual(
      await walk({ visible: new Set(['project0', 'project2']), states: ['finished', 'running'] }),
      expect((j) => j.project !== 'project1' && j.state !== 'pending'),
    );
    assert.deepEqual(
      await walk({ tag: 'gpu', project: 'project1' }),
      expect((j) => j.tags === '["gpu"]' && j.project === 'project1'),
    );
    const mid = all[150]!.created_at;
    assert.deepEqual(
      await walk({ timeField: 'created_at', since: mid, until: mid + 20_000 }),
      expect((j) => j.created_at >= mid && j.created_at < mid + 20_000),
    );
  },
);
