import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  DummyDriver,
  Kysely,
  PostgresQueryCompiler,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
} from 'kysely';
import type { HostMetrics } from '@scrapyard/protocol';
import type { Database } from '../schema.js';
import { HostRowBuffer, LatestHostSamples } from './host-columns.js';

const sample = (at: number): HostMetrics => ({
  at,
  cpuPercent: 12.5,
  cpus: 8,
  load1: 0.1,
  load5: 0.2,
  load15: 0.3,
  memUsedBytes: 6e9,
  memTotalBytes: 16_771_858_432,
  diskUsedBytes: 120_394_752_000 + at,
  diskTotalBytes: 502_468_108_288,
  netRxBytesPerSec: 1.5,
  netTxBytesPerSec: 0,
});

void test('the insert buffer keeps samples in order past its first capacity, and starts over once cleared', () => {
  const b = new HostRowBuffer();
  for (let i = 0; i < 20_000; i++) b.push(`n${i % 3}`, sample(i));
  assert.equal(b.length, 20_000);
  const rows = b.rows(19_998, 20_001);
  assert.deepEqual(
    rows.map((r) => [r.node_id, r.at, r.disk_used]),
    [
      ['n0', 19_998, 120_394_752_000 + 19_998],
      ['n1', 19_999, 120_394_752_000 + 19_999],
    ],
  );
  assert.equal(rows[0]!.mem_total, 16_771_858_432);
  b.clear();
  assert.equal(b.length, 0);
  assert.deepEqual(b.rows(0, 10), []);
  b.push('x', sample(7));
  assert.deepEqual(
    b.rows(0, 1).map((r) => [r.node_id, r.at]),
    [['x', 7]],
  );
});

void test('latest samples: one slot per node, a forgotten node slot reused without touching the others', () => {
  const l = new LatestHostSamples();
  for (let i = 0; i < 3_000; i++) l.set(`n${i}`, sample(i));
  l.set('n5', sample(5_000));
  l.forgetOlderThan(10);
  assert.equal(l.get('n3'), undefined);
  assert.deepEqual(l.get('n5'), sample(5_000));
  for (let i = 0; i < 20; i++) l.set(`new${i}`, sample(10_000 + i));
  for (let i = 10; i < 3_000; i++) assert.equal(l.get(`n${i}`)?.at, i);
  for (let i = 0; i < 20; i++) assert.deepEqual(l.get(`new${i}`), sample(10_000 + i));
});

void test('the flat parameters are what kysely binds for the rows, on both dialects', () => {
  const b = new HostRowBuffer();
  for (let i = 0; i < 7; i++) b.push(`node-${i}`, sample(1_700_000_000_000 + i));
  for (const compiler of [new SqliteQueryCompiler(), new PostgresQueryCompiler()]) {
    const db = new Kysely<Pick<Database, 'host_metrics'>>({
      dialect: {
        createAdapter: () => new SqliteAdapter(),
        createDriver: () => new DummyDriver(),
        createIntrospector: (k) => new SqliteIntrospector(k),
        createQueryCompiler: () => compiler,
      },
    });
    for (const [from, to] of [
      [0, 7],
      [2, 5],
      [6, 9],
    ] as const) {
      const q = db.insertInto('host_metrics').values(b.rows(from, to)).compile();
      assert.deepEqual(b.parameters(from, to), q.parameters);
    }
  }
});
