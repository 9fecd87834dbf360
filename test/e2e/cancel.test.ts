/**
 * Cancel: a pending job is removed; a running one gets the requested signal in its process group (Scrapy logs
 * it), and a job that ignores signals is killed by the second cancel.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ScrapydClient } from '../helpers/clients.js';
import { deploy, listJobs, schedule, waitFinished, waitLog, waitRunning } from '../helpers/jobs.js';
import { startMaster } from '../helpers/processes.js';

void test('cancel pending and running jobs, with signals; a second cancel kills', async (t) => {
  const master = await startMaster(t, { env: { SCRAPYARD_MAX_PROC: '1' } });
  const api = new ScrapydClient(master.url);
  await deploy(api);

  const slow = await schedule(api, { project: 'demo', spider: 'slow' });
  const waiting = await schedule(api, { project: 'demo', spider: 'quick', jobid: 'waiting-job' });
  await waitRunning(api, slow);
  assert.deepEqual(
    (await listJobs(api)).pending.map((j) => j.id),
    ['waiting-job'],
  );

  // Pending: removed, never reaches finished.
  const c1 = ScrapydClient.ok(await api.post('cancel.json', { project: 'demo', job: waiting }));
  assert.equal(c1.prevstate, 'pending');
  assert.equal((await api.get('status.json', { job: waiting })).currstate, null);
  assert.equal((await api.post('cancel.json', { project: 'demo', job: waiting })).prevstate, null);

  // Running, with an explicit signal: Scrapy logs it and shuts down gracefully.
  await waitLog(api, `/logs/demo/slow/${slow}.log`, /SLOW_TICK 1/);
  const c2 = ScrapydClient.ok(await api.post('cancel.json', { project: 'demo', job: slow, signal: 'TERM' }));
  assert.equal(c2.prevstate, 'running');
  const done = await waitFinished(api, slow);
  assert.equal(done.outcome, 'cancelled');
  const log = (await api.raw('GET', `/logs/demo/slow/${slow}.log`)).text;
  assert.match(log, /Received SIGTERM, shutting down gracefully/);
  assert.equal((await api.get('status.json', { job: slow })).currstate, 'finished');

  // A spider that ignores INT and TERM: the first cancel (default INT) doesn't stop it, the second kills it.
  const stubborn = await schedule(api, { project: 'demo', spider: 'stubborn' });
  const stubbornLog = `/logs/demo/stubborn/${stubborn}.log`;
  await waitRunning(api, stubborn);
  await waitLog(api, stubbornLog, /STUBBORN_IGNORING_SIGNALS/);
  assert.equal(
    ScrapydClient.ok(await api.post('cancel.json', { project: 'demo', job: stubborn })).prevstate,
    'running',
  );
  // The spider logs each signal it ignores: INT (2) was delivered, and it crawls on afterwards.
  const gotSignal = await waitLog(api, stubbornLog, /STUBBORN_GOT_SIGNAL 2\n/);
  const lastTick = Math.max(0, ...[...gotSignal.matchAll(/STUBBORN_TICK (\d+)/g)].map((m) => Number(m[1])));
  await waitLog(api, stubbornLog, new RegExp(`STUBBORN_TICK ${lastTick + 1}\\b`));
  assert.ok(
    (await listJobs(api)).running.some((j) => j.id === stubborn),
    'stubborn must survive the first cancel',
  );
  assert.equal(
    ScrapydClient.ok(await api.post('cancel.json', { project: 'demo', job: stubborn })).prevstate,
    'running',
  );
  const killed = await waitFinished(api, stubborn, 20_000);
  assert.equal(killed.outcome, 'cancelled');
  const killedLog = (await api.raw('GET', stubbornLog)).text;
  assert.equal((killedLog.match(/STUBBORN_GOT_SIGNAL/g) ?? []).length, 1, 'the second cancel was a SIGKILL');
  assert.doesNotMatch(killedLog, /Spider closed/, 'killed, not closed');

  // Bad signal is refused before anything is touched (deviation D6): the pending job stays pending.
  const blocker = await schedule(api, { project: 'demo', spider: 'slow', jobid: 'sig-blocker' });
  await waitRunning(api, blocker);
  const pend = await schedule(api, { project: 'demo', spider: 'slow', jobid: 'sig-test' });
  const bad = await api.post('cancel.json', { project: 'demo', job: pend, signal: 'BOGUS' });
  assert.equal(bad.status, 'error');
  assert.match(String(bad.message), /signal 'BOGUS'/);
  assert.equal((await api.get('status.json', { job: pend })).currstate, 'pending');
  assert.equal(
    ScrapydClient.ok(await api.post('cancel.json', { project: 'demo', job: pend, signal: '9' })).prevstate,
    'pending',
  );
  assert.equal((await api.get('status.json', { job: pend })).currstate, null);
  ScrapydClient.ok(await api.post('cancel.json', { project: 'demo', job: blocker, signal: 'KILL' }));
});
