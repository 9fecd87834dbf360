import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createFamilies } from './families.js';
import { NODE_FAMILIES, renderNodeFamilies } from './node-families.js';

void test('metric families follow Prometheus naming and name no job or run', async () => {
  const f = createFamilies({ processMetrics: false });
  const metrics = await f.registry.getMetricsAsJSON();
  assert.ok(metrics.length >= 10);
  for (const { name, type, values } of metrics) {
    assert.match(name, /^scrapyard_[a-z0-9_]+$/, name);
    if (String(type) === 'counter') assert.match(name, /_total$/, `${name}: counters end in _total`);
    else assert.doesNotMatch(name, /_total$/, `${name}: only counters end in _total`);
    for (const v of values) {
      for (const label of Object.keys(v.labels)) {
        assert.ok(!/^(job|job_id|jobid|run|run_id|runid)$/.test(label), `${name} has a label ${label}`);
      }
    }
  }
  for (const m of f.registry.getMetricsAsArray()) {
    // Declared label names too (families without samples yet show none above).
    const labelNames = (m as unknown as { labelNames: string[] }).labelNames;
    for (const label of labelNames) assert.ok(!/job|run/.test(label), `${m.name} declares a label ${label}`);
  }
});

void test('per-node gauges: one series per online node, host gauges only with a sample, valid text format', () => {
  for (const f of NODE_FAMILIES) assert.match(f.name, /^scrapyard_node_[a-z0-9_]+$/);
  const host = {
    at: 1_700_000_000_500,
    cpuPercent: 25,
    cpus: 8,
    load1: 1.5,
    load5: 1,
    load15: 0.5,
    memUsedBytes: 4e9,
    memTotalBytes: 16e9,
    diskUsedBytes: 1e11,
    diskTotalBytes: 5e11,
    netRxBytesPerSec: 0,
    netTxBytesPerSec: 0,
  };
  const text = renderNodeFamilies([
    { nodeId: 'n1', slots: 4, used: 1, cordoned: false, host },
    { nodeId: 'odd"\\\nname', slots: 2, used: 3, cordoned: true, host: undefined },
  ]);
  const lines = text.split('\n').filter(Boolean);
  assert.equal(lines.filter((l) => l.startsWith('# TYPE ')).length, NODE_FAMILIES.length);
  assert.ok(lines.includes('scrapyard_node_slots_free{node="n1"} 3'));
  assert.ok(lines.includes('scrapyard_node_slots_free{node="odd\\"\\\\\\nname"} 0'), 'escaped; never negative');
  assert.ok(lines.includes('scrapyard_node_cordoned{node="odd\\"\\\\\\nname"} 1'));
  assert.ok(lines.includes('scrapyard_node_cpu_usage_ratio{node="n1"} 0.25'));
  assert.ok(lines.includes('scrapyard_node_host_sample_timestamp_seconds{node="n1"} 1700000000.5'));
  assert.equal(lines.filter((l) => l.startsWith('scrapyard_node_cpus{')).length, 1, 'no host gauges without a sample');
  for (const l of lines) {
    assert.match(l, /^(# (HELP|TYPE) \S+ .+|scrapyard_node_\w+\{node="(?:[^"\\]|\\.)*"\} \S+)$/, l);
  }
  assert.equal(
    renderNodeFamilies([])
      .split('\n')
      .filter((l) => !l.startsWith('#') && l !== '').length,
    0,
  );
});
