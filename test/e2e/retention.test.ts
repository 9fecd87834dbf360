/**
 * Retention: `jobs_to_keep` prunes a spider's oldest log and items files (by mtime) before a job starts, and
 * `finished_to_keep` keeps the newest finished jobs, across restarts. Deviations D2 (`finished_to_keep = 0` keeps
 * no finished job) and D3 (`jobs_to_keep = 0` keeps every file).
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ScrapydClient } from '../helpers/clients.js';
import { deploy, listJobs, schedule, waitFinished, waitLog } from '../helpers/jobs.js';
import { startMaster } from '../helpers/processes.js';
import { masterStore, testEachStore } from '../helpers/stores.js';
import { queryMaster } from '../helpers/master-db.js';
import { waitFor } from '../helpers/wait.js';

const filesIn = (dataDir: string, tree: 'logs' | 'items') => readdirSync(join(dataDir, tree, 'demo', 'quick')).sort();

testEachStore(
  'jobs_to_keep prunes the oldest files before a job starts; finished_to_keep keeps the newest',
  {},
  async (t, store) => {
    const where = await masterStore(t, store);
    const { dataDir } = where;
    const env = { SCRAPYARD_FINISHED_TO_KEEP: '2', SCRAPYARD_JOBS_TO_KEEP: '2', SCRAPYARD_MAX_PROC: '1' };
    const master = await startMaster(t, { ...where, env });
    const api = new ScrapydClient(master.url);
    await deploy(api);
    // Ids sort in the opposite order of their age, so only pruning by mtime keeps the right files. The jobs run
    // one after another, each crawl taking over a second, so their files' mtimes are far apart.
    const ids = ['j4', 'j3', 'j2', 'j1'];
    for (const id of ids) {
      await waitFinished(api, await schedule(api, { project: 'demo', spider: 'quick', jobid: id }));
      await waitLog(api, `/logs/demo/quick/${id}.log`, /Spider closed \(finished\)/);
    }
    // Before j1 started, j4, j3 and j2 were there: the oldest (j4) went, then j1 added its own (Scrapyd keeps
    // jobs_to_keep + 1 files this way). Before j2, only two were there: nothing went.
    assert.deepEqual(filesIn(dataDir, 'logs'), ['j1.log', 'j2.log', 'j3.log']);
    assert.deepEqual(filesIn(dataDir, 'items'), ['j1.jl', 'j2.jl', 'j3.jl']);

    assert.deepEqual(
      (await listJobs(api)).finished.map((j) => j.id),
      ['j1', 'j2'],
      'newest first, two kept',
    );
    assert.equal((await api.get('daemonstatus.json')).finished, 2);

    await master.stop();
    const again = await startMaster(t, { ...where, env: { ...env, SCRAPYARD_FINISHED_TO_KEEP: '1' } });
    assert.deepEqual(
      (await listJobs(new ScrapydClient(again.url))).finished.map((j) => j.id),
      ['j1'],
      'a lowered finished_to_keep applies at start-up',
    );
    await again.stop();
    const none = await startMaster(t, { ...where, env: { ...env, SCRAPYARD_FINISHED_TO_KEEP: '0' } });
    assert.deepEqual((await listJobs(new ScrapydClient(none.url))).finished, [], 'finished_to_keep = 0 at start-up');
    assert.deepEqual(filesIn(dataDir, 'logs'), ['j1.log', 'j2.log', 'j3.log'], 'trimming jobs leaves files alone');
  },
);

testEachStore(
  'finished_to_keep = 0 keeps no finished job (D2); jobs_to_keep = 0 keeps every file (D3)',
  {},
  async (t, store) => {
    const where = await masterStore(t, store);
    const { dataDir } = where;
    const env = { SCRAPYARD_FINISHED_TO_KEEP: '0', SCRAPYARD_JOBS_TO_KEEP: '0', SCRAPYARD_MAX_PROC: '1' };
    const master = await startMaster(t, { ...where, env });
    const api = new ScrapydClient(master.url);
    await deploy(api);
    const ids = ['k1', 'k2', 'k3', 'k4'];
    for (const id of ids) {
      await schedule(api, { project: 'demo', spider: 'quick', jobid: id });
      // Scheduled means pending; it leaves every list only once it has finished and was not kept.
      const state = await waitFor(
        async () => {
          const s = (await api.get('status.json', { job: id })).currstate;
          return s === null || s === 'finished' ? String(s) : undefined;
        },
        { timeoutMs: 90_000, what: `job ${id} to finish` },
      );
      assert.equal(state, 'null', `finished job ${id} is not kept`);
      await waitLog(api, `/logs/demo/quick/${id}.log`, /Spider closed \(finished\)/);
    }
    assert.deepEqual((await listJobs(api)).finished, []);
    assert.equal((await api.get('daemonstatus.json')).finished, 0);
    assert.deepEqual(await queryMaster(dataDir, "SELECT job_id FROM jobs WHERE state = 'finished'"), []);
    assert.deepEqual(filesIn(dataDir, 'logs'), ['k1.log', 'k2.log', 'k3.log', 'k4.log']);
    assert.deepEqual(filesIn(dataDir, 'items'), ['k1.jl', 'k2.jl', 'k3.jl', 'k4.jl']);

    await master.stop();
    const again = await startMaster(t, { ...where, env });
    const afterRestart = new ScrapydClient(again.url);
    assert.deepEqual((await listJobs(afterRestart)).finished, [], 'none comes back after a restart');
    assert.equal((await afterRestart.get('daemonstatus.json')).finished, 0);
    assert.deepEqual(filesIn(dataDir, 'logs'), ['k1.log', 'k2.log', 'k3.log', 'k4.log']);
  },
);
