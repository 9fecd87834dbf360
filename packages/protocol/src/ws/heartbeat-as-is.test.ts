import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AgentToMaster, Heartbeat } from './agent-to-master.js';
import { validateMessage } from './catalog.js';
import { heartbeatAsIs } from './heartbeat-as-is.js';

const host = () => ({
  at: 1_765_000_000_000,
  cpuPercent: 37.25,
  cpus: 8,
  load1: 2.5,
  load5: 2.41,
  load15: 2.17,
  memUsedBytes: 6_512_000_000,
  memTotalBytes: 16_771_858_432,
  diskUsedBytes: 120_394_752_000,
  diskTotalBytes: 502_468_108_288,
  netRxBytesPerSec: 12_345.5,
  netTxBytesPerSec: 0,
});
const beat = (): Record<string, unknown> => ({ running: 1, at: 1_765_000_000_123, host: host() });

/** Values each field is tried with: valid ones, bounds, and what the schema refuses. */
const VALUES: unknown[] = [
  0,
  -0,
  1,
  -1,
  0.5,
  8,
  99.99,
  100,
  100.01,
  2 ** 53,
  2 ** 53 - 1,
  1e300,
  Infinity,
  -Infinity,
  NaN,
  '1',
  null,
  true,
  {},
  [],
  undefined,
];

/** Every payload one field away from a valid heartbeat, and some with keys added or taken away. */
function* variants(): Generator<unknown> {
  yield beat();
  yield { running: 0, at: 5 };
  yield [beat()];
  yield null;
  yield 'heartbeat';
  for (const key of ['running', 'at', 'host', 'jobs', 'extra', '__proto__']) {
    for (const v of VALUES) yield { ...beat(), [key]: v };
    const without = beat();
    delete without[key];
    yield without;
  }
  yield JSON.parse('{"running":0,"at":5,"__proto__":{"x":1}}');
  yield { ...beat(), jobs: [] };
  yield { ...beat(), jobs: [{ runId: 'a'.repeat(32), cpuPercent: 1, rssBytes: 2 }] };
  for (const key of [...Object.keys(host()), 'extra']) {
    for (const v of VALUES) yield { ...beat(), host: { ...host(), [key]: v } };
    const h: Record<string, unknown> = host();
    delete h[key];
    yield { ...beat(), host: h };
  }
  yield { ...beat(), host: Object.assign(Object.create(null) as object, host()) };
}

void test('a heartbeat taken as it is is one the schema accepts and returns unchanged', () => {
  let vouched = 0;
  let checked = 0;
  for (const p of variants()) {
    checked++;
    if (!heartbeatAsIs(p)) continue;
    vouched++;
    const parsed = Heartbeat.safeParse(p);
    assert.ok(parsed.success, `vouched for a payload the schema refuses: ${JSON.stringify(p)}`);
    assert.deepEqual(parsed.data, p, `vouched for a payload the schema changes: ${JSON.stringify(p)}`);
  }
  assert.ok(vouched > 50 && vouched < checked, `${vouched} of ${checked} vouched`);
});

void test('the common heartbeat skips the schema; the rest still goes through it', () => {
  const common = beat();
  assert.ok(heartbeatAsIs(common));
  assert.ok(heartbeatAsIs({ running: 0, at: 5 }), 'no host sample this time');
  assert.equal(validateMessage(AgentToMaster, 'heartbeat', common), common, 'taken as it is, not copied');
  const withJobs = { ...beat(), jobs: [{ runId: 'a'.repeat(32), cpuPercent: 1, rssBytes: 2 }] };
  assert.notEqual(validateMessage(AgentToMaster, 'heartbeat', withJobs), withJobs, 'job samples: parsed');
  assert.throws(() => validateMessage(AgentToMaster, 'heartbeat', { ...beat(), running: -1 }));
  assert.throws(() => validateMessage(AgentToMaster, 'heartbeat', { ...beat(), host: { ...host(), cpuPercent: 101 } }));
  const extra = { ...beat(), extra: 1 };
  assert.deepEqual(validateMessage(AgentToMaster, 'heartbeat', extra), beat(), 'an unknown key is still stripped');
});
