/**
 * metrics_retention_hours: host and job metrics older than the retention are deleted, also right at start-up (a
 * master back from a long downtime does not wait for its first periodic prune), and recent ones are kept.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ScrapydClient } from '../helpers/clients.js';
import { jobInfo } from '../helpers/cluster.js';
import { RestClient } from '../helpers/http.js';
import { deploy, schedule, waitFinished } from '../helpers/jobs.js';
import { startMaster, tempDir } from '../helpers/processes.js';
import { queryMaster, writeMaster } from '../helpers/master-db.js';
import { waitFor } from '../helpers/wait.js';

const HOUR = 3_600_000;

void test('metrics older than metrics_retention_hours are pruned at start-up; recent ones are kept', async (t) => {
  const dataDir = tempDir(t);
  const first = await startMaster(t, { dataDir });
  const api = new ScrapydClient(first.url);
  await deploy(api);
  await waitFinished(api, await schedule(api, { project: 'demo', spider: 'quick', jobid: 'measured' }));
  const { runId } = await jobInfo(new RestClient(first.url), 'measured');
  assert.equal(await first.stop(), 0);

  // Two hours old: expired under a 1-hour retention, though the default (24 hours) would keep it.
  const now = Date.now();
  const old = now - 2 * HOUR;
  const recent = now - 10 * 60_000;
  await writeMaster(
    dataDir,
    `INSERT INTO host_metrics (node_id, at, cpu_percent, cpus, load1, load5, load15, mem_used, mem_total,
       disk_used, disk_total, net_rx, net_tx) VALUES ('local', ?, 1, 2, 0.5, 0.5, 0.5, 1, 2, 1, 2, 0, 0)`,
    [[old], [old + 1], [recent], [recent + 1]],
  );
  await writeMaster(dataDir, `INSERT INTO job_metrics (run_id, at, cpu_percent, rss_bytes) VALUES (?, ?, 5, 1000)`, [
    [runId, old],
    [runId, recent],
  ]);

  const expired = async (table: string) =>
    Number((await queryMaster(dataDir, `SELECT count(*) AS n FROM ${table} WHERE at < ?`, now - HOUR))[0]!.n);
  assert.deepEqual(
    [await expired('host_metrics'), await expired('job_metrics')],
    [2, 1],
    'the expired rows are stored',
  );

  const conf = join(tempDir(t), 'scrapyd.conf');
  writeFileSync(conf, '[scrapyard]\nmetrics_retention_hours = 1\n');
  const second = await startMaster(t, { dataDir, args: ['--config', conf] });
  const rest = new RestClient(second.url);
  const hostAts = async () =>
    ((await rest.get('/api/v1/nodes/local/metrics')).samples as { at: number }[]).map((s) => s.at);
  const jobAts = async () =>
    ((await rest.get(`/api/v1/jobs/measured/metrics?project=demo`)).samples as { at: number }[]).map((s) => s.at);
  // Well within the periodic prune's first run (60 s after start): only the start-up prune can pass this.
  await waitFor(async () => !(await hostAts()).some((at) => at < now - HOUR), {
    what: 'expired host metrics to be pruned',
    timeoutMs: 30_000,
  });
  await waitFor(async () => !(await jobAts()).some((at) => at < now - HOUR), {
    what: 'expired job metrics to be pruned',
    timeoutMs: 30_000,
  });
  const host = await hostAts();
  assert.ok(host.includes(recent) && host.includes(recent + 1), `recent host metrics are kept: ${host.join(', ')}`);
  assert.ok((await jobAts()).includes(recent), 'recent job metrics are kept');
  assert.equal(await second.stop(), 0);
  assert.deepEqual(
    [await expired('host_metrics'), await expired('job_metrics')],
    [0, 0],
    'the expired rows are deleted',
  );
});
