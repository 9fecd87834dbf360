/**
 * Scrapyd's other config sections: [settings] declares egg-less projects whose code is importable on the agent
 * (docs/scrapyd-api.md §2.1, §2.5), and [services] switches endpoints off.
 */
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ScrapydClient } from '../helpers/clients.js';
import { DEMO_SPIDERS, deploy, schedule, waitFinished } from '../helpers/jobs.js';
import { startMaster, tempDir } from '../helpers/processes.js';

const DEMO_SOURCE = fileURLToPath(new URL('../fixtures/projects/demo', import.meta.url));

void test('[settings] projects run without an egg; [services] disables endpoints', async (t) => {
  const dir = tempDir(t);
  const conf = join(dir, 'scrapyd.conf');
  writeFileSync(
    conf,
    [
      '[scrapyd]',
      'max_proc = 2',
      'jobs_dir = jobstate',
      '',
      '[settings]',
      'eggless = demo.settings',
      '',
      '[services]',
      'delproject.json =',
      'listjobs.json = scrapyd.webservice.ListJobs',
      '',
    ].join('\n'),
  );
  // The [settings] project's code must be importable by the agent's interpreter, as it must be for Scrapyd.
  const master = await startMaster(t, { args: ['--config', conf], env: { PYTHONPATH: DEMO_SOURCE } });
  const api = new ScrapydClient(master.url);

  assert.deepEqual((await api.get('listprojects.json')).projects, ['eggless']);
  assert.deepEqual((await api.get('listversions.json', { project: 'eggless' })).versions, []);
  assert.deepEqual((await api.get('listspiders.json', { project: 'eggless' })).spiders, DEMO_SPIDERS);
  assert.equal(
    (await api.post('schedule.json', { project: 'eggless', spider: 'quick', _version: '1' })).message,
    "version '1' not found",
  );
  const done = await waitFinished(api, await schedule(api, { project: 'eggless', spider: 'quick', arg: 'no-egg' }));
  assert.equal(done.outcome, 'succeeded');
  // jobs_dir (relative to the config file) became the crawl's JOBDIR, as Scrapyd 1.6 passes it.
  assert.ok(existsSync(join(dir, 'jobstate', 'eggless', 'quick', done.id, 'requests.seen')), 'JOBDIR state written');
  const items = (await api.raw('GET', done.items_url!)).text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { arg: string });
  assert.equal(items[0]!.arg, 'no-egg');

  await deploy(api, 'demo', '1');
  assert.deepEqual((await api.get('listprojects.json')).projects, ['demo', 'eggless']);

  const disabled = await api.raw('POST', '/delproject.json', {
    body: 'project=demo',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  assert.equal(disabled.status, 404);
  assert.equal((await api.get('listjobs.json')).status, 'ok', 'a service set to its Scrapyd class stays on');
});

void test('[services] with a custom Python class is refused at start-up', async (t) => {
  const dir = tempDir(t);
  const conf = join(dir, 'scrapyd.conf');
  writeFileSync(conf, '[services]\nschedule.json = mypkg.MySchedule\n');
  const { spawnSync } = await import('node:child_process');
  const r = spawnSync(
    process.execPath,
    [fileURLToPath(new URL('../../packages/master/dist/main.js', import.meta.url)), '--config', conf],
    { encoding: 'utf8' },
  );
  assert.equal(r.status, 2);
  assert.match(r.stderr, /custom Python service classes are not supported/);
});
