/**
 * The core drop-in path, end to end: deploy the demo egg, list spiders, schedule with arguments and settings,
 * watch the job run on the embedded agent, and read its log and items through the master's trees — the very
 * bytes the crawl wrote on the agent.
 */
import assert from 'node:assert/strict';
import { closeSync, existsSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { ListJobsResponseBody } from '@scrapyard/protocol';
import { buildEgg } from '../helpers/eggs.js';
import { ScrapydClient } from '../helpers/clients.js';
import { assertCompleteSlowItems, assertCompleteSlowLog, jobInfo, ticksOf } from '../helpers/cluster.js';
import { RestClient } from '../helpers/http.js';
import { startMaster } from '../helpers/processes.js';
import { masterStore, testEachStore } from '../helpers/stores.js';
import { DEMO_SPIDERS, schedule, waitFinished } from '../helpers/jobs.js';
import { waitFor } from '../helpers/wait.js';

testEachStore('deploy, schedule with args and settings, run, read log and items', {}, async (t, store) => {
  const master = await startMaster(t, await masterStore(t, store));
  const api = new ScrapydClient(master.url);
  const egg = await buildEgg('demo');

  const added = ScrapydClient.ok(await api.addVersion('demo', '1.0', egg));
  assert.deepEqual(
    { project: added.project, version: added.version, spiders: added.spiders, node_name: added.node_name },
    { project: 'demo', version: '1.0', spiders: DEMO_SPIDERS.length, node_name: 'test-node' },
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

testEachStore(
  'the log and items on the master are byte-identical to the files the crawl wrote',
  {},
  async (t, store) => {
    const master = await startMaster(t, await masterStore(t, store));
    const api = new ScrapydClient(master.url);
    const rest = new RestClient(master.url);
    ScrapydClient.ok(await api.addVersion('demo', '1.0', await buildEgg('demo')));
    const jobid = await schedule(api, { project: 'demo', spider: 'slow', seconds: '4', jobid: 'copied' });
    // The crawl writes into the agent's run directory, which the agent deletes once the master has acknowledged
    // every byte. Open both files while the crawl runs: on Linux an open fd still reads them after the unlink.
    const { runId } = await jobInfo(rest, jobid);
    const runDir = join(master.dataDir, 'agent', 'runs', runId);
    const openWhenCreated = async (name: string) => {
      const path = join(runDir, name);
      const fd = await waitFor(() => (existsSync(path) ? openSync(path, 'r') : undefined), {
        what: `the crawl to create ${path}`,
        intervalMs: 20,
      });
      t.after(() => closeSync(fd));
      return fd;
    };
    const fds = { log: await openWhenCreated('job.log'), items: await openWhenCreated('items.jl') };
    const done = await waitFinished(api, jobid);
    assert.equal(done.outcome, 'succeeded');
    await waitFor(() => !existsSync(runDir), { what: 'the agent to delete the acknowledged run' });
    const whole = (fd: number) => {
      const buf = Buffer.alloc(fstatSync(fd).size);
      assert.equal(readSync(fd, buf, 0, buf.length, 0), buf.length);
      return buf;
    };
    const written = { log: whole(fds.log), items: whole(fds.items) };
    assertCompleteSlowLog(written.log.toString('utf8'), 4);
    assertCompleteSlowItems(written.items.toString('utf8'), ticksOf(written.log.toString('utf8')).length);

    const served = {
      log: await api.raw('GET', done.log_url!),
      items: await api.raw('GET', done.items_url!),
    };
    for (const stream of ['log', 'items'] as const) {
      assert.equal(served[stream].status, 200, stream);
      assert.equal(Number(served[stream].headers.get('content-length')), written[stream].length, `${stream} size`);
      assert.equal(served[stream].text, written[stream].toString('utf8'), `${stream} content`);
    }
    const stored = {
      log: readFileSync(join(master.dataDir, 'logs', 'demo', 'slow', 'copied.log')),
      items: readFileSync(join(master.dataDir, 'items', 'demo', 'slow', 'copied.jl')),
    };
    assert.ok(stored.log.equals(written.log), 'the stored log is byte for byte what the crawl wrote');
    assert.ok(stored.items.equals(written.items), 'the stored items are byte for byte what the crawl wrote');
  },
);
