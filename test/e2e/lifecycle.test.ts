/**
 * The core drop-in path, end to end: deploy the demo egg, list spiders, schedule with arguments and settings,
 * watch the job run on the embedded agent, and read its log and items through the master's trees.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { ListJobsResponseBody } from '@scrapyard/protocol';
import { buildEgg } from '../helpers/eggs.js';
import { ScrapydClient } from '../helpers/clients.js';
import { startMaster } from '../helpers/processes.js';
import { DEMO_SPIDERS } from '../helpers/jobs.js';
import { waitFor } from '../helpers/wait.js';

void test('deploy, schedule with args and settings, run, read log and items', async (t) => {
  const master = await startMaster(t);
  const api = new ScrapydClient(master.url);
  const egg = await buildEgg('demo');

  const added = ScrapydClient.ok(await api.addVersion('demo', '1.0', egg));
  assert.deepEqual(
    { project: added.project, version: added.version, spiders: added.spiders, node_name: added.node_name },
    { project: 'demo', version: '1.0', spiders: 6, node_name: 'test-node' },
  );
  assert.deepEqual((await api.get('listprojects.json')).projects, ['demo']);
  assert.deepEqual((await api.get('listversions.json', { project: 'demo' })).versions, ['1_0']);
  assert.deepEqual((await api.get('listspiders.json', { project: 'demo' })).spiders, DEMO_SPIDERS);

  const scheduled = ScrapydClient.ok(
    await api.post('schedule.json', [
      ['project', 'demo'],
      ['spider', 'quick'],
      ['arg', 'hello world'],
      ['arg', 'ignored second value'],
      ['setting', 'DEMO_SETTING=a=b c'],
      ['setting', 'LOG_LEVEL=INFO'],
    ]),
  );
  const jobid = String(scheduled.jobid);
  assert.match(jobid, /^[0-9a-f]{32}$/);

  const finished = await waitFor(
    async () => {
      const jobs = ListJobsResponseBody.parse(await api.get('listjobs.json', { project: 'demo' }));
      return jobs.finished.find((j) => j.id === jobid);
    },
    { timeoutMs: 60_000, what: 'the quick job to finish' },
  );
  assert.equal(finished.spider, 'quick');
  assert.match(finished.start_time, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{6})?$/);
  assert.equal(finished.log_url, `/logs/demo/quick/${jobid}.log`);
  assert.equal(finished.items_url, `/items/demo/quick/${jobid}.jl`);
  assert.equal((await api.get('status.json', { job: jobid })).currstate, 'finished');

  const log = await api.raw('GET', finished.log_url!);
  assert.equal(log.status, 200);
  assert.match(log.text, /QUICK_DONE/);
  assert.match(log.text, /QUICK_DATA demo-data-ok/);
  // The log on the master is byte-identical to the file Scrapy wrote (shipped by offset, no gap, no duplicate).
  assert.equal(log.text, readFileSync(`${master.dataDir}/logs/demo/quick/${jobid}.log`, 'utf8'));

  const items = (await api.raw('GET', finished.items_url!)).text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.equal(items.length, 3);
  for (const item of items) {
    assert.equal(item.arg, 'hello world');
    assert.equal(item.setting, 'a=b c');
    assert.equal(item.job, jobid);
  }

  const tail = await api.raw('GET', finished.log_url!, { headers: { range: 'bytes=-100' } });
  assert.equal(tail.status, 206);
  assert.equal(Buffer.byteLength(tail.text), 100);

  const status = await api.get('daemonstatus.json');
  assert.deepEqual(
    { pending: status.pending, running: status.running, finished: status.finished, status: status.status },
    { pending: 0, running: 0, finished: 1, status: 'ok' },
  );
});
