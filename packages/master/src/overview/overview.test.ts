/** The dashboard's counters from a real store: today's ends by outcome in the viewer's zone, scoped, nodes for `*`. */
import assert from 'node:assert/strict';
import { openTestDatabase, testEachStore } from '../db/stores.test-support.js';
import { createJobsRepo } from '../db/repos/jobs.js';
import { insertJobHistory } from '../db/repos/jobs/job-history.test-support.js';
import { overview, type NodeFigures } from './overview.js';

/** A node as the overview reads it: online, revoked, cordoned, slots, running. */
const node = (o: Partial<NodeFigures>): NodeFigures => ({
  online: true,
  revoked: false,
  cordoned: false,
  slots: 4,
  running: 1,
  ...o,
});

testEachStore('jobs ended today in the zone, failures apart, pending and running, scoped', {}, async (t, store) => {
  const db = await openTestDatabase(t, store);
  // 100 finished jobs, one a second from 2026-12-06 22:30 UTC, each ending a minute later (22:31 … 23:10 UTC):
  // in Paris (+01:00) the ones ending from 23:00 UTC are "today" (Dec 7), in UTC none is (Dec 7 starts later).
  await insertJobHistory(db, {
    finished: 100,
    running: 3,
    pending: 5,
    projects: 2,
    since: Date.parse('2026-12-06T22:30:00Z'),
  });
  const deps = {
    jobs: createJobsRepo(db),
    nodes: () =>
      Promise.resolve([
        node({}),
        node({ cordoned: true, running: 0 }),
        node({ online: false }),
        node({ revoked: true }),
      ]),
    firingAlerts: () => Promise.resolve(2),
    now: () => Date.parse('2026-12-07T00:30:00Z'),
  };
  const paris = await overview(deps, '*', 'Europe/Paris');
  // Ends at created + 60 s: jobs 1740…99 end at or after 23:00 (job j is created at 22:30 + j s).
  const today = Array.from({ length: 100 }, (_, j) => j).filter((j) => j * 1_000 + 60_000 >= 1_800_000);
  const failed = today.filter((j) => j % 5 === 3).length;
  assert.deepEqual(paris.day, {
    tz: 'Europe/Paris',
    start: Date.parse('2026-12-06T23:00:00Z'),
    end: Date.parse('2026-12-07T23:00:00Z'),
  });
  assert.deepEqual(
    [paris.jobs.pending, paris.jobs.running, paris.jobs.finishedToday, paris.jobs.failedToday],
    [5, 3, today.length, failed],
  );
  assert.deepEqual(paris.nodes, { online: 2, total: 3, slotsUsed: 1, slotsFree: 3 });
  assert.equal(paris.alertsFiring, 2);
  assert.equal((await overview(deps, '*', 'UTC')).jobs.finishedToday, 0);
  const scoped = await overview(deps, new Set(['project0']), 'Europe/Paris');
  assert.equal(scoped.nodes, null);
  assert.equal(scoped.jobs.finishedToday, today.filter((j) => j % 2 === 0).length);
  assert.equal(
    scoped.jobs.pending + scoped.jobs.running,
    [100, 101, 102, 103, 104, 105, 106, 107].filter((j) => j % 2 === 0).length,
  );
});
