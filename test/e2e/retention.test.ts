/**
 * Retention: `finished_to_keep` keeps the newest finished jobs (and holds across a restart), `jobs_to_keep`
 * prunes a spider's log and items files before a job starts.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ScrapydClient } from '../helpers/clients.js';
import { deploy, listJobs, schedule, waitFinished } from '../helpers/jobs.js';
import { startMaster, tempDir } from '../helpers/processes.js';

void test('finished_to_keep and jobs_to_keep', async (t) => {
  const dataDir = tempDir(t);
  const env = { SCRAPYARD_FINISHED_TO_KEEP: '2', SCRAPYARD_JOBS_TO_KEEP: '2' };
  const master = await startMaster(t, { dataDir, env });
  const api = new ScrapydClient(master.url);
  await deploy(api);
  for (const id of ['r1', 'r2', 'r3']) {
    await waitFinished(api, await schedule(api, { project: 'demo', spider: 'quick', jobid: id }));
  }
  assert.deepEqual(
    (await listJobs(api)).finished.map((j) => j.id),
    ['r3', 'r2'],
    'newest first, two kept',
  );
  assert.equal((await api.get('daemonstatus.json')).finished, 2);
  // Pruned before r3 started (2 kept), then r3 added its own: jobs_to_keep + 1 files, as in Scrapyd.
  const logs = readdirSync(join(dataDir, 'logs', 'demo', 'quick')).sort();
  assert.ok(
    logs.length <= 3 && logs.includes('r3.log') && logs.includes('r2.log') && !logs.includes('r0.log'),
    logs.join(','),
  );
  const items = readdirSync(join(dataDir, 'items', 'demo', 'quick')).sort();
  assert.ok(items.length <= 3 && items.includes('r3.jl'), items.join(','));

  await master.stop();
  const again = await startMaster(t, { dataDir, env: { ...env, SCRAPYARD_FINISHED_TO_KEEP: '1' } });
  assert.deepEqual(
    (await listJobs(new ScrapydClient(again.url))).finished.map((j) => j.id),
    ['r3'],
    'a lowered limit applies at start-up',
  );
});
