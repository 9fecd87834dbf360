/**
 * schedule.json group-commits concurrent inserts and answers each request only after its commit: a few hundred
 * concurrent calls, kill -9 of the master right after the last answer, and every accepted job is there after the
 * restart, exactly once, with its own arguments and settings.
 */
import assert from 'node:assert/strict';
import { ScrapydClient } from '../helpers/clients.js';
import { deploy, listJobs } from '../helpers/jobs.js';
import { startMaster } from '../helpers/processes.js';
import { masterStore, testEachStore } from '../helpers/stores.js';

const JOBS = 400;
const IN_FLIGHT = 64;

testEachStore(
  'every answered schedule.json survives kill -9, exactly once, with its own arguments',
  {},
  async (t, store) => {
    const where = await masterStore(t, store);
    // Deploy with the embedded agent (it runs `scrapy list`), whose spider list the version row keeps; the masters
    // after it run without an agent, so every job stays pending.
    const deployer = await startMaster(t, where);
    await deploy(new ScrapydClient(deployer.url));
    assert.equal(await deployer.stop(), 0);

    const master = await startMaster(t, { ...where, args: ['--no-local-agent'] });
    const api = new ScrapydClient(master.url);
    const accepted = new Map<string, number>(); // jobid → n
    let next = 0;
    const worker = async () => {
      while (next < JOBS) {
        const n = next++;
        const body = ScrapydClient.ok(
          await api.post('schedule.json', [
            ['project', 'demo'],
            ['spider', 'quick'],
            ['n', String(n)],
            ['setting', `DEMO_SETTING=s${n}`],
          ]),
        );
        const jobid = String(body.jobid);
        assert.ok(!accepted.has(jobid), `jobid ${jobid} given twice`);
        accepted.set(jobid, n);
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
    await master.kill9();
    assert.equal(accepted.size, JOBS);

    const again = await startMaster(t, { ...where, args: ['--no-local-agent'] });
    const jobs = await listJobs(new ScrapydClient(again.url));
    assert.deepEqual(jobs.running, []);
    assert.deepEqual(jobs.finished, []);
    const seen = new Map<string, number>();
    for (const j of jobs.pending) seen.set(j.id, (seen.get(j.id) ?? 0) + 1);
    const lost = [...accepted.keys()].filter((id) => !seen.has(id));
    assert.deepEqual(lost, [], `${lost.length} accepted jobs were lost`);
    const twice = [...seen].filter(([, count]) => count > 1).map(([id]) => id);
    assert.deepEqual(twice, [], 'no job is stored twice');
    assert.equal(jobs.pending.length, JOBS, 'no job that was not accepted');
    for (const j of jobs.pending) {
      const n = accepted.get(j.id)!;
      assert.equal(j.spider, 'quick');
      assert.deepEqual(j.args, { n: String(n) }, `job ${j.id} keeps its own arguments`);
      assert.deepEqual(j.settings, { DEMO_SETTING: `s${n}` }, `job ${j.id} keeps its own settings`);
    }
  },
);
