/**
 * Stopping a standalone master: SIGTERM exits 0 and leaves a running crawl running in its own session; the next
 * start on the same data dir re-adopts it (same pid) and ships its whole log. (Two signals at once are one stop:
 * signals.test.ts; a second signal after 2 s forces the exit: stop-signals.test.ts in the protocol package.)
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { ScrapydClient } from '../helpers/clients.js';
import { assertCompleteSlowLog } from '../helpers/cluster.js';
import { deploy, listJobs, schedule, waitFinished, waitLog, waitRunning } from '../helpers/jobs.js';
import { crawlPidsIn, startMaster, tempDir } from '../helpers/processes.js';

/** The session id of a process (ps), or null when it is gone. */
function sessionOf(pid: number): number | null {
  const r = spawnSync('ps', ['-o', 'sid=', '-p', String(pid)], { encoding: 'utf8' });
  const sid = Number(r.stdout.trim());
  return r.status === 0 && Number.isInteger(sid) && sid > 0 ? sid : null;
}

void test('SIGTERM leaves the crawl running; the restarted master re-adopts it', async (t) => {
  const dataDir = tempDir(t);
  const env = { SCRAPYARD_MAX_PROC: '1' };
  const first = await startMaster(t, { dataDir, env });
  let api = new ScrapydClient(first.url);
  await deploy(api);
  const seconds = 25;
  const id = await schedule(api, { project: 'demo', spider: 'slow', seconds: String(seconds), jobid: 'survivor' });
  const { pid } = await waitRunning(api, id);
  assert.ok(pid !== null);
  await waitLog(api, `/logs/demo/slow/${id}.log`, /SLOW_TICK 2\b/);
  assert.deepEqual(crawlPidsIn(dataDir), [pid], 'the crawl runs a venv interpreter from the data dir');
  const sid = sessionOf(pid);
  assert.notEqual(sid, null);
  assert.notEqual(sid, sessionOf(first.proc.pid!), 'the crawl has a session of its own');

  assert.equal(await first.stop(), 0, 'SIGTERM stops the master cleanly');
  assert.match(first.output(), /"msg":"stopping"/);
  assert.deepEqual(crawlPidsIn(dataDir), [pid], 'the crawl outlived the master');

  const second = await startMaster(t, { dataDir, env });
  api = new ScrapydClient(second.url);
  const running = (await listJobs(api)).running.find((j) => j.id === id);
  assert.ok(running, `the crawl is running right after the restart: ${JSON.stringify(await listJobs(api))}`);
  assert.equal(running.pid, pid, 're-adopted: the same process, not a new run');

  const done = await waitFinished(api, id);
  assert.equal(done.outcome, 'succeeded', 'its exit status was read from the exit file');
  assertCompleteSlowLog((await api.raw('GET', `/logs/demo/slow/${id}.log`)).text, seconds);
});
