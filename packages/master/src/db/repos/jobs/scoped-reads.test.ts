/**
 * Project scoping of the job reads (projectsVisible, auth/access.ts): the filter is part of the SQL, so a page of a scoped
 * caller is as full as anyone's and its cursor walks every visible job once; an empty filter finds nothing.
 */
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { openTestDatabase, testEachStore, type Store } from '../../stores.test-support.js';
import { createJobsRepo } from '../jobs.js';

const PROJECTS = ['a', 'b', 'c'];
const NONE: ReadonlySet<string> = new Set();
const AC: ReadonlySet<string> = new Set(['a', 'c']);

/** 30 jobs, projects in turn a, b, c; job ids repeat across projects (`j0`…`j9` in each). */
async function seeded(t: TestContext, store: Store) {
  const jobs = createJobsRepo(await openTestDatabase(t, store));
  for (let i = 0; i < 30; i++) {
    await jobs.insertPending({
      runId: i.toString(16).padStart(32, '0'),
      jobId: `j${Math.floor(i / 3)}`,
      project: PROJECTS[i % 3]!,
      spider: 's',
      versionRequested: null,
      settings: [],
      args: [],
      priority: 0,
      createdAt: i,
      tags: [],
    });
  }
  return jobs;
}

testEachStore('a scoped page is full and its cursor walks every visible job once', {}, async (t, store) => {
  const jobs = await seeded(t, store);
  const seen: string[] = [];
  let before: number | undefined;
  for (;;) {
    const page = await jobs.page({ limit: 7, before, visible: AC });
    seen.push(...page.map((j) => j.run_id));
    assert.ok(
      page.every((j) => AC.has(j.project)),
      'only visible projects',
    );
    if (page.length < 7) break;
    before = page.at(-1)!.seq;
  }
  assert.equal(seen.length, 20);
  assert.equal(new Set(seen).size, 20);
  // With another filter on top, still within the visible projects.
  assert.deepEqual(
    (await jobs.page({ limit: 100, project: 'b', visible: AC })).map((j) => j.project),
    [],
    'a hidden project named in the filter is as empty as an unknown one',
  );
  assert.equal((await jobs.page({ limit: 100, visible: '*' })).length, 30);
  assert.deepEqual(await jobs.page({ limit: 100, visible: NONE }), []);
});

testEachStore('lists, counts and lookups show only the visible projects', {}, async (t, store) => {
  const jobs = await seeded(t, store);
  // One job of each project runs, one of each finishes.
  for (const seq of [1, 2, 3, 4, 5, 6]) assert.ok(await jobs.claim(seq, 'n1', 'v', 100 + seq));
  for (const seq of [4, 5, 6]) {
    const row = (await jobs.page({ limit: 1, before: seq + 1 }))[0]!;
    const ended = { endedAt: 200, startedAt: null, exitCode: 0, signal: null, outcome: 'finished', reason: null };
    assert.ok(await jobs.markFinished(row.run_id, ended, 100));
  }
  const projects = (rows: { project: string }[]) => [...new Set(rows.map((r) => r.project))].sort();
  assert.deepEqual(projects(await jobs.listPending(undefined, AC)), ['a', 'c']);
  assert.deepEqual(projects(await jobs.listRunning(undefined, AC)), ['a', 'c']);
  assert.deepEqual(projects(await jobs.listFinished(undefined, AC)), ['a', 'c']);
  assert.deepEqual(await jobs.listPending('b', AC), []);
  assert.deepEqual(await jobs.counts(AC), { pending: 16, running: 2, finished: 2 });
  assert.deepEqual(await jobs.counts(), { pending: 24, running: 3, finished: 3 });
  assert.deepEqual(await jobs.counts(NONE), { pending: 0, running: 0, finished: 0 });
  for (const list of [jobs.listPending, jobs.listRunning, jobs.listFinished]) {
    assert.deepEqual(await list(undefined, NONE), []);
    assert.equal((await list(undefined, '*')).length, (await list()).length);
  }

  // `j9` is the id of the last three jobs (a, b, c): the latest among the visible ones wins, never a hidden one.
  assert.equal((await jobs.latestByJobId('j9', undefined, new Set(['a', 'b'])))!.project, 'b');
  assert.equal((await jobs.latestByJobId('j9', undefined, new Set(['a'])))!.project, 'a');
  assert.equal(await jobs.latestByJobId('j9', 'b', AC), undefined);
  assert.equal(await jobs.latestByJobId('j9', undefined, NONE), undefined);
  // status.json: job `j1` (seqs 4, 5, 6, all finished) as seen from a, and from nowhere.
  assert.equal(await jobs.currentState('j1', undefined, new Set(['a'])), 'finished');
  assert.equal(await jobs.currentState('j1', undefined, NONE), null);
  assert.equal(await jobs.currentState('j0', 'b', AC), null);
});
