/**
 * kill -9 of the master (and so of its embedded agent) loses nothing: pending jobs stay queued and run after the
 * restart, finished jobs are kept, and a crawl that was running keeps running and is re-adopted with its log.
 */
import assert from 'node:assert/strict';
import { ScrapydClient } from '../helpers/clients.js';
import { deploy, listJobs, schedule, waitFinished, waitLog, waitRunning } from '../helpers/jobs.js';
import { startMaster } from '../helpers/processes.js';
import { masterStore, testEachStore } from '../helpers/stores.js';

testEachStore('kill -9 and restart keeps pending, running and finished jobs', {}, async (t, store) => {
  const where = await masterStore(t, store);
  const first = await startMaster(t, { ...where, env: { SCRAPYARD_MAX_PROC: '1' } });
  let api = new ScrapydClient(first.url);
  await deploy(api);

  const done = await schedule(api, { project: 'demo', spider: 'quick', jobid: 'before-crash' });
  await waitFinished(api, done);
  // Long enough to be certainly still running once the master is back (it is killed at tick 2, ~1 s in).
  const slow = await schedule(api, { project: 'demo', spider: 'slow', seconds: '15', jobid: 'survivor' });
  const { pid } = await waitRunning(api, slow);
  assert.equal(typeof pid, 'number');
  await waitLog(api, `/logs/demo/slow/${slow}.log`, /SLOW_TICK 2/);
  const pendingIds = ['p1', 'p2', 'p3'];
  for (const id of pendingIds) await schedule(api, { project: 'demo', spider: 'quick', jobid: id });
  assert.deepEqual(
    (await listJobs(api)).pending.map((j) => j.id),
    pendingIds,
  );

  await first.kill9();

  const second = await startMaster(t, { ...where, env: { SCRAPYARD_MAX_PROC: '1' } });
  api = new ScrapydClient(second.url);
  const after = await listJobs(api);
  assert.ok(
    after.finished.some((j) => j.id === 'before-crash'),
    'finished job kept',
  );
  // The embedded agent has connected, so the handshake has reconciled: the crawl was re-adopted, same process.
  assert.deepEqual(
    after.running.map((j) => ({ id: j.id, pid: j.pid })),
    [{ id: 'survivor', pid }],
    'the crawl is still running, under the same pid',
  );
  assert.doesNotThrow(() => process.kill(pid!, 0), 'and that process is alive');

  const survivor = await waitFinished(api, slow);
  assert.equal(survivor.outcome, 'succeeded', 'the re-adopted crawl finished normally and its exit status was read');
  const log = (await api.raw('GET', `/logs/demo/slow/${slow}.log`)).text;
  const ticks = [...log.matchAll(/SLOW_TICK (\d+)/g)].map((m) => Number(m[1]));
  assert.ok(ticks.length >= 28, `log should hold the whole crawl, got ticks ${ticks.join(',')}`);
  assert.deepEqual(
    ticks,
    ticks.map((_, i) => i + 1),
    'no gap and no duplicate across the crash',
  );
  assert.match(log, /Spider closed \(finished\)/);

  for (const id of pendingIds) assert.equal((await waitFinished(api, id)).outcome, 'succeeded');
  assert.equal((await api.get('daemonstatus.json')).finished, 5);
});
