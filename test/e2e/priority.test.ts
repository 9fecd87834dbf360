/** Pending jobs start by priority (desc), ties in arrival order, across projects, the moment a slot frees. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ScrapydClient } from '../helpers/clients.js';
import { deploy, schedule, waitFinished, waitRunning } from '../helpers/jobs.js';
import { startMaster } from '../helpers/processes.js';

void test('priority then FIFO decides the start order', async (t) => {
  const master = await startMaster(t, { env: { SCRAPYARD_MAX_PROC: '1' } });
  const api = new ScrapydClient(master.url);
  await deploy(api);
  const blocker = await schedule(api, { project: 'demo', spider: 'slow', seconds: '30' });
  await waitRunning(api, blocker);

  const order = [
    ['low', '-1'],
    ['mid-a', '1'],
    ['high', '10'],
    ['mid-b', '1'],
    ['default', ''],
  ] as const;
  for (const [id, priority] of order) {
    await schedule(
      api,
      priority === ''
        ? { project: 'demo', spider: 'quick', jobid: id }
        : { project: 'demo', spider: 'quick', jobid: id, priority },
    );
  }
  const bad = await api.post('schedule.json', { project: 'demo', spider: 'quick', priority: 'x' });
  assert.equal(bad.message, "priority is invalid: could not convert string to float: b'x'");

  ScrapydClient.ok(await api.post('cancel.json', { project: 'demo', job: blocker, signal: 'KILL' }));
  const finished = [];
  for (const [id] of order) finished.push(await waitFinished(api, id));
  const started = finished
    .sort((a, b) => (a.start_time < b.start_time ? -1 : a.start_time > b.start_time ? 1 : 0))
    .map((j) => j.id);
  assert.deepEqual(started, ['high', 'mid-a', 'mid-b', 'default', 'low']);
});
