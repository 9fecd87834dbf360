import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { HostMetrics } from '@scrapyard/protocol';
import { HostSampler } from './host-metrics.js';

void test('a real sample of this machine passes the schema and has plausible values', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'host-metrics-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const sampler = new HostSampler({ dataDir: dir });
  const before = Date.now();
  const first = HostMetrics.parse(await sampler.sample());
  const second = HostMetrics.parse(await sampler.sample());
  for (const m of [first, second]) {
    assert.ok(m.at >= before && m.at <= Date.now());
    assert.ok(m.cpuPercent >= 0 && m.cpuPercent <= 100);
    assert.equal(m.cpus, cpus().length || availableParallelism());
    assert.ok(m.memTotalBytes > 0 && Math.abs(m.memTotalBytes - totalmem()) < totalmem() * 0.05);
    assert.ok(m.memUsedBytes > 0 && m.memUsedBytes <= m.memTotalBytes);
    assert.ok(m.diskTotalBytes > 0 && m.diskUsedBytes <= m.diskTotalBytes);
  }
  assert.ok(second.at >= first.at);
});

void test('a data dir that does not exist rejects rather than inventing disk figures', async () => {
  const sampler = new HostSampler({ dataDir: join(tmpdir(), 'no-such-dir-' + process.pid, 'x') });
  await assert.rejects(sampler.sample(), { code: 'ENOENT' });
});
