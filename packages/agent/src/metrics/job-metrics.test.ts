import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { test } from 'node:test';
import { JobMetric } from '@scrapyard/protocol';
import { sampleJobs } from './job-metrics.js';

const RUN_A = 'a'.repeat(32);
const RUN_B = 'b'.repeat(32);
const RUN_C = 'c'.repeat(32);

/** The pid of a child that has exited and been reaped, so nothing has that pid (until the OS reuses it). */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await once(child, 'exit');
  assert.ok(child.pid !== undefined);
  return child.pid;
}

void test('this process: one sample with rss > 0 that passes the schema', async () => {
  const samples = await sampleJobs([{ runId: RUN_A, pid: process.pid }]);
  assert.equal(samples.length, 1);
  const s = JobMetric.parse(samples[0]);
  assert.equal(s.runId, RUN_A);
  assert.ok(s.rssBytes > 0);
  assert.ok(s.cpuPercent >= 0);
});

void test('an exited child gives [] without throwing, alone or next to a live pid', async () => {
  const pid = await deadPid();
  assert.deepEqual(await sampleJobs([{ runId: RUN_B, pid }]), []);
  const mixed = await sampleJobs([
    { runId: RUN_A, pid: process.pid },
    // Another run id, so the batch really asks pidusage about the dead pid (RUN_B's is remembered as gone).
    { runId: RUN_C, pid },
  ]);
  assert.deepEqual(
    mixed.map((s) => s.runId),
    [RUN_A],
  );
  assert.deepEqual(await sampleJobs([]), []);
});
