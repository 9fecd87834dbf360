/**
 * An egg's install_requires are installed into the project's venv with pip from an offline wheelhouse
 * (`--no-index --find-links`), and the venv is reused by later versions with the same requirements.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ScrapydClient } from '../helpers/clients.js';
import { deploy, schedule, waitFinished } from '../helpers/jobs.js';
import { startMaster } from '../helpers/processes.js';
import { buildTestdepWheelhouse } from '../helpers/wheels.js';

void test('requirements come from a local wheelhouse into a per-project venv, reused across versions', async (t) => {
  const wheelhouse = await buildTestdepWheelhouse();
  const master = await startMaster(t, {
    env: { SCRAPYARD_PIP_FIND_LINKS: wheelhouse, SCRAPYARD_PIP_NO_INDEX: 'on', PIP_FIND_LINKS: '' },
  });
  const api = new ScrapydClient(master.url);
  await deploy(api, 'withreq', '1');
  const job = await schedule(api, { project: 'withreq', spider: 'usedep' });
  const done = await waitFinished(api, job, 120_000);
  assert.equal(done.outcome, 'succeeded');
  const items = (await api.raw('GET', done.items_url!)).text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { dep: string });
  assert.deepEqual(items, [{ dep: 'testdep-ok' }]);

  await deploy(api, 'withreq', '2');
  await deploy(api, 'demo', '1');
  const again = await waitFinished(api, await schedule(api, { project: 'withreq', spider: 'usedep' }));
  assert.equal(again.outcome, 'succeeded');
  const demoJob = await waitFinished(api, await schedule(api, { project: 'demo', spider: 'quick' }));
  assert.equal(demoJob.outcome, 'succeeded');
  const venvs = readdirSync(join(master.dataDir, 'agent', 'venvs')).sort();
  assert.equal(
    venvs.filter((v) => v.startsWith('withreq-')).length,
    1,
    `one venv for both withreq versions: ${venvs.join(', ')}`,
  );
  assert.equal(venvs.filter((v) => v.startsWith('demo-')).length, 1);

  // The demo project's venv does not see withreq's requirement.
  const needsdep = await waitFinished(api, await schedule(api, { project: 'demo', spider: 'needsdep' }));
  const log = (await api.raw('GET', needsdep.log_url!)).text;
  assert.match(log, /No module named 'scrapyard_testdep'/);
});

void test("a requirement pip cannot find fails the job with pip's message and leaves no half-built venv", async (t) => {
  const master = await startMaster(t, {
    env: { SCRAPYARD_PIP_FIND_LINKS: '/nonexistent-wheelhouse', SCRAPYARD_PIP_NO_INDEX: 'on', PIP_FIND_LINKS: '' },
  });
  const api = new ScrapydClient(master.url);
  const res = await api.addVersion('withreq', '1', await (await import('../helpers/eggs.js')).buildEgg('withreq'));
  assert.equal(res.status, 'error');
  assert.match(String(res.message), /^RunnerError: .*pip install scrapyard-testdep==1\.0 failed/s);
  assert.deepEqual((await api.get('listprojects.json')).projects, [], 'the failed upload was rolled back');
  const venvs = readdirSync(join(master.dataDir, 'agent', 'venvs'));
  assert.deepEqual(venvs, []);
});
