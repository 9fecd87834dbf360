/**
 * Node-supplied data is bounded: a job whose log outgrows `max_job_output_bytes` is told to stop, the master keeps
 * exactly the cap's worth of it, and the job's outcome says why.
 */
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ScrapydClient } from '../helpers/clients.js';
import { deploy, schedule, waitFinished } from '../helpers/jobs.js';
import { startMaster } from '../helpers/processes.js';

const CAP = 1024 * 1024;

void test('a job over the log size cap is stopped and fails for that reason', async (t) => {
  const master = await startMaster(t, { env: { SCRAPYARD_MAX_JOB_OUTPUT_BYTES: String(CAP) } });
  const api = new ScrapydClient(master.url);
  await deploy(api);
  const started = Date.now();
  // ~100 kB per log line, 20 lines a second: over the cap within a second or two of crawling, done in 120 s.
  const id = await schedule(api, {
    project: 'demo',
    spider: 'slow',
    seconds: '120',
    padding: '100000',
    setting: 'DOWNLOAD_DELAY=0.05',
    jobid: 'chatty',
  });
  const done = await waitFinished(api, id, 90_000);
  assert.ok(Date.now() - started < 90_000, 'stopped long before the crawl would have ended');
  assert.equal(done.outcome, 'failed');
  const info = (await api.raw('GET', `/api/v1/jobs/${id}?project=demo`)).json;
  assert.equal(
    info.reason,
    `its log exceeded max_job_output_bytes (${CAP} bytes); stopped by the master`,
    JSON.stringify(info),
  );
  // The master kept exactly the cap's worth: nothing past it was written.
  assert.equal(statSync(join(master.dataDir, 'logs', 'demo', 'slow', `${id}.log`)).size, CAP);
  const head = await api.raw('GET', `/logs/demo/slow/${id}.log`, { headers: { range: 'bytes=0-4095' } });
  assert.match(head.text, /Scrapy .* started/);
  // And the master is fine: the next job runs normally.
  const next = await waitFinished(api, await schedule(api, { project: 'demo', spider: 'quick' }));
  assert.equal(next.outcome, 'succeeded');
  ScrapydClient.ok(await api.get('daemonstatus.json'));
});
