/** Pending jobs start by priority (desc), ties in arrival order, across projects, the moment a slot frees. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ScrapydClient } from '../helpers/clients.js';
import { buildEgg } from '../helpers/eggs.js';
import { listJobs, schedule, waitFinished, waitRunning } from '../helpers/jobs.js';
import { startMaster } from '../helpers/processes.js';

void test('priority then FIFO decides the start order, across projects', async (t) => {
  const master = await startMaster(t, { env: { SCRAPYARD_MAX_PROC: '1' } });
  const api = new ScrapydClient(master.url);
  // The demo egg under two project names: one queue for both.
  const egg = await buildEgg('demo');
  for (const project of ['demo', 'other']) ScrapydClient.ok(await api.addVersion(project, '1', egg));
  const blocker = await schedule(api, { project: 'demo', spider: 'slow', seconds: '60' });
  await waitRunning(api, blocker);

  // Arrival order: a low one first, a high one of the other project later, ties inside and across projects.
  const arrivals = [
    ['demo', 'd-low', '-1'],
    ['other', 'o-default', ''],
    ['demo', 'd-mid', '1'],
    ['other', 'o-high', '10'],
    ['other', 'o-mid', '1'],
    ['demo', 'd-zero', '0'],
    ['demo', 'd-high', '10'],
  ] as const;
  for (const [project, id, priority] of arrivals) {
    await schedule(api, {
      project,
      spider: 'quick',
      jobid: id,
      ...(priority === '' ? {} : { priority }),
    });
  }
  const expected = ['o-high', 'd-high', 'd-mid', 'o-mid', 'o-default', 'd-zero', 'd-low'];
  assert.deepEqual(
    (await listJobs(api)).pending.map((j) => j.id),
    expected,
    'listjobs shows the queue in start order',
  );
  const bad = await api.post('schedule.json', { project: 'demo', spider: 'quick', priority: 'x' });
  assert.equal(bad.message, "priority is invalid: could not convert string to float: b'x'");

  ScrapydClient.ok(await api.post('cancel.json', { project: 'demo', job: blocker, signal: 'KILL' }));
  // One slot: each job starts only after the one before it finished, so start times give the start order.
  const finished = [];
  for (const [, id] of arrivals) finished.push(await waitFinished(api, id));
  for (const j of finished) assert.equal(j.outcome, 'succeeded', j.id);
  const started = finished
    .sort((a, b) => (a.start_time < b.start_time ? -1 : a.start_time > b.start_time ? 1 : 0))
    .map((j) => j.id);
  assert.deepEqual(started, expected);
});
