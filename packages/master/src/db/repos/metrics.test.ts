import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import type { HostMetrics } from '@scrapyard/protocol';
import { openTestDatabase, testEachStore, type Store } from '../stores.test-support.js';
import { batchSizes, createMetricsRepo } from './metrics.js';

const RUN_A = 'a'.repeat(32);
const RUN_B = 'b'.repeat(32);

/** Polls until `probe` gives a value (10 s at most): a busy machine delays writes, it doesn't stop them. */
async function eventually<T>(probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error('timed out waiting for the rows to be written');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function host(at: number, cpuPercent = 10): HostMetrics {
  return {
    at,
    cpuPercent,
    cpus: 4,
    load1: 0.5,
    load5: 0.25,
    load15: 0.125,
    memUsedBytes: 1_000,
    memTotalBytes: 8_000,
    diskUsedBytes: 2e12,
    diskTotalBytes: 4e12,
    netRxBytesPerSec: 1.5,
    netTxBytesPerSec: 2.5,
  };
}

async function setup(t: TestContext, store: Store, flushIntervalMs?: number) {
  const db = await openTestDatabase(t, store);
  const errors: unknown[] = [];
  const repo = createMetricsRepo(db, { onError: (e) => errors.push(e), flushIntervalMs });
  t.after(() => repo.close());
  return { db, repo, errors };
}

testEachStore(
  'host samples: buffered until flushed, then oldest first, the latest `limit` since `since`',
  {},
  async (t, store) => {
    const { repo, errors } = await setup(t, store);
    for (const at of [5_000, 1_000, 3_000, 2_000, 4_000]) repo.recordHost('n1', host(at, at / 100));
    repo.recordHost('n2', host(2_500));
    assert.deepEqual(await repo.hostSamples('n1', 0, 10), [], 'nothing is written before the flush');
    await repo.flush();

    const all = await repo.hostSamples('n1', 0, 10);
    assert.deepEqual(
      all.map((m) => m.at),
      [1_000, 2_000, 3_000, 4_000, 5_000],
    );
    assert.deepEqual(all[2], host(3_000, 30), 'every field round-trips');
    assert.deepEqual(
      (await repo.hostSamples('n1', 0, 2)).map((m) => m.at),
      [4_000, 5_000],
      'limit keeps the latest',
    );
    assert.deepEqual(
      (await repo.hostSamples('n1', 3_000, 10)).map((m) => m.at),
      [3_000, 4_000, 5_000],
      'since is inclusive',
    );
    assert.deepEqual(await repo.hostSamples('n1', 0, 0), []);
    assert.deepEqual(
      (await repo.hostSamples('n2', 0, 10)).map((m) => m.at),
      [2_500],
    );
    assert.deepEqual(await repo.hostSamples('nobody', 0, 10), []);
    assert.deepEqual(errors, []);
  },
);

testEachStore('latestHost is the last recorded sample, in memory, before any flush', {}, async (t, store) => {
  const { repo } = await setup(t, store);
  assert.equal(repo.latestHost('n1'), undefined);
  repo.recordHost('n1', host(1_000));
  repo.recordHost('n1', host(2_000, 55));
  assert.deepEqual(repo.latestHost('n1'), host(2_000, 55));
});

testEachStore('job samples of a run, oldest first', {}, async (t, store) => {
  const { repo } = await setup(t, store);
  repo.recordJobs(2_000, [
    { runId: RUN_A, cpuPercent: 150, rssBytes: 2e9 },
    { runId: RUN_B, cpuPercent: 1, rssBytes: 10 },
  ]);
  repo.recordJobs(1_000, [{ runId: RUN_A, cpuPercent: 50, rssBytes: 1e9 }]);
  repo.recordJobs(3_000, []);
  await repo.flush();
  assert.deepEqual(await repo.jobSamples(RUN_A), [
    { at: 1_000, cpuPercent: 50, rssBytes: 1e9 },
    { at: 2_000, cpuPercent: 150, rssBytes: 2e9 },
  ]);
  assert.deepEqual(await repo.jobSamples('c'.repeat(32)), []);
});

testEachStore(
  'a full batch is written without waiting for the timer; big backlogs take several INSERTs',
  {},
  async (t, store) => {
    // The timer would fire only after an hour: rows that land before that were written by the batch-size trigger.
    const { repo, errors } = await setup(t, store, 3_600_000);
    for (let i = 0; i < 1_234; i++) repo.recordHost(`n${i % 7}`, host(i));
    const early = await eventually(async () => {
      const rows = await repo.hostSamples('n0', 0, 10_000);
      return rows.length > 0 ? rows : undefined;
    });
    assert.ok(early.length >= Math.floor(500 / 7), `the first full batch of 500 is written, got ${early.length} rows`);
    await repo.flush();
    let total = 0;
    for (let n = 0; n < 7; n++) total += (await repo.hostSamples(`n${n}`, 0, 10_000)).length;
    assert.equal(total, 1_234);
    assert.deepEqual(errors, []);
  },
);

testEachStore('the timer flushes a partial batch', {}, async (t, store) => {
  const { repo } = await setup(t, store, 100);
  repo.recordHost('n1', host(1_000));
  // One row never fills a batch, and nothing calls flush(): only the timer can write it.
  const rows = await eventually(async () => {
    const r = await repo.hostSamples('n1', 0, 10);
    return r.length > 0 ? r : undefined;
  });
  assert.deepEqual(rows, [host(1_000)]);
});

testEachStore(
  'prune deletes rows older than the cutoff in both tables and forgets stale latest samples',
  {},
  async (t, store) => {
    const { repo } = await setup(t, store);
    for (let at = 1; at <= 12_000; at++) repo.recordHost('n1', host(at));
    repo.recordHost('n2', host(50));
    repo.recordJobs(100, [{ runId: RUN_A, cpuPercent: 1, rssBytes: 1 }]);
    repo.recordJobs(20_000, [{ runId: RUN_A, cpuPercent: 2, rssBytes: 2 }]);
    await repo.flush();

    assert.deepEqual(await repo.prune(11_001), { host: 11_001, jobs: 1 }, 'more rows than one delete batch');
    assert.deepEqual(
      (await repo.hostSamples('n1', 0, 100_000)).map((m) => m.at),
      Array.from({ length: 1_000 }, (_, i) => 11_001 + i),
    );
    assert.deepEqual(await repo.jobSamples(RUN_A), [{ at: 20_000, cpuPercent: 2, rssBytes: 2 }]);
    assert.equal(repo.latestHost('n2'), undefined);
    assert.equal(repo.latestHost('n1')?.at, 12_000);
    assert.deepEqual(await repo.prune(11_001), { host: 0, jobs: 0 });
  },
);

testEachStore('write errors go to onError, never to callers; close stops recording', {}, async (t, store) => {
  const { db, repo, errors } = await setup(t, store);
  await db.schema.dropTable('job_metrics').execute();
  repo.recordJobs(1_000, [{ runId: RUN_A, cpuPercent: 1, rssBytes: 1 }]);
  repo.recordHost('n1', host(1_000));
  await repo.flush();
  assert.equal(errors.length, 1, 'the failed job INSERT is reported');
  assert.equal((await repo.hostSamples('n1', 0, 10)).length, 1, 'the other table is still written');

  repo.close();
  repo.recordHost('n1', host(2_000));
  await repo.flush();
  assert.equal((await repo.hostSamples('n1', 0, 10)).length, 1);
});

void test('batchSizes: every row written once, in few distinct INSERT sizes (each one a statement kept prepared)', () => {
  const distinct = new Set<number>();
  for (let n = 0; n <= 2_000; n++) {
    const sizes = batchSizes(n);
    assert.equal(
      sizes.reduce((a, b) => a + b, 0),
      n,
    );
    for (const size of sizes) {
      assert.ok(size >= 1 && size <= 500, `${size} rows in one INSERT`);
      distinct.add(size);
    }
  }
  assert.ok(distinct.size <= 10, `${distinct.size} distinct INSERT sizes`);
});
