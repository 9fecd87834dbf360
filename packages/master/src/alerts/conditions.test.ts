import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AlertCondition, type JobStatsSummary, type NodeInfo } from '@scrapyard/protocol';
import {
  fireProblem,
  jobSubject,
  judgeErrors,
  judgeFire,
  judgeItems,
  judgeNode,
  judgeOutcome,
  median,
  type FinishedRunFacts,
} from './conditions.js';

const summary = (over: Partial<JobStatsSummary> = {}): JobStatsSummary => ({
  at: 0,
  final: true,
  items: 10,
  requests: 20,
  responses: { total: 20, '1xx': 0, '2xx': 15, '3xx': 0, '4xx': 3, '5xx': 2 },
  errors: 0,
  logCounts: { DEBUG: 0, INFO: 0, WARNING: 0, ERROR: 0, CRITICAL: 0 },
  exceptions: 0,
  finishReason: 'finished',
  ...over,
});
const run = (over: Partial<FinishedRunFacts> = {}): FinishedRunFacts => ({
  jobId: 'j1',
  project: 'shop',
  spider: 'products',
  args: '[]',
  nodeId: 'n1',
  outcome: 'succeeded',
  reason: null,
  summary: summary(),
  stats: { 'downloader/response_status_count/404': 3 },
  ...over,
});
const parse = (c: unknown) => AlertCondition.parse(c);

void test('subjects: the spider, never its arguments', () => {
  assert.equal(jobSubject('shop', 'products'), 'shop/products');
});

void test('median of odd and even counts, none for no runs', () => {
  assert.equal(median([5, 1, 3]), 3);
  assert.equal(median([4, 1, 3, 10]), 3.5);
  assert.equal(median([]), null);
});

void test('outcome rules hold for a watched outcome, resolve on success, and ignore other outcomes', () => {
  const c = parse({ kind: 'job_outcome', outcomes: ['failed', 'timed_out'] });
  assert.ok(c.kind === 'job_outcome');
  const failed = judgeOutcome(c, run({ outcome: 'failed', reason: 'exited with code 1' }))!;
  assert.equal(failed.holds, true);
  assert.equal(failed.summary, 'crawl failed: shop/products (job j1) on node n1');
  assert.match(failed.detail, /^Reason: exited with code 1$/m);
  assert.equal(judgeOutcome(c, run({ outcome: 'timed_out' }))!.summary.startsWith('crawl timed out'), true);
  assert.equal(judgeOutcome(c, run())!.holds, false);
  assert.equal(judgeOutcome(c, run({ outcome: 'cancelled' })), null);
  const long = judgeOutcome(c, run({ outcome: 'failed', reason: `${'x'.repeat(5_000)}END` }))!;
  assert.ok(long.detail.length < 2_000 && long.detail.includes('END'), 'a long reason keeps its tail');
});

void test('item rules: an absolute floor, a share of the baseline median, and no baseline yet', () => {
  const both = parse({ kind: 'job_items', minItems: 5, minPercentOfMedian: 50 });
  assert.ok(both.kind === 'job_items');
  assert.equal(both.baselineRuns, 5, 'default baseline');
  assert.equal(judgeItems(both, run(), [10, 12, 30]).holds, false);
  assert.equal(judgeItems(both, run({ summary: summary({ items: 4 }) }), []).holds, true, 'under the floor');
  const share = judgeItems(both, run({ summary: summary({ items: 7 }) }), [16, 20, 18]);
  assert.equal(share.holds, true, '7 < 50% of 18');
  assert.match(share.detail, /median 18 of the last 3 runs; minimum 50% = 9/);
  assert.equal(share.labels.baseline_median, '18');
  const pct = parse({ kind: 'job_items', minPercentOfMedian: 50 });
  assert.ok(pct.kind === 'job_items');
  assert.equal(judgeItems(pct, run({ summary: summary({ items: 0 }) }), []).holds, false, 'nothing to compare');
  assert.equal(judgeItems(pct, run({ summary: null }), [3]).holds, true, 'no stats: no items');
});

void test('error rules: a count, an exact status share and a class share', () => {
  const errs = parse({ kind: 'job_errors', maxErrors: 2 });
  assert.ok(errs.kind === 'job_errors');
  assert.equal(judgeErrors(errs, run({ summary: summary({ errors: 2 }) })).holds, false);
  assert.equal(judgeErrors(errs, run({ summary: summary({ errors: 3 }) })).holds, true);
  const notFound = parse({ kind: 'job_errors', httpStatus: '404', maxStatusPercent: 10 });
  assert.ok(notFound.kind === 'job_errors');
  const v = judgeErrors(notFound, run());
  assert.equal(v.holds, true, '3 of 20 = 15%');
  assert.equal(v.labels.status_share_percent, '15.0');
  const server = parse({ kind: 'job_errors', httpStatus: '5xx', maxStatusPercent: 10 });
  assert.ok(server.kind === 'job_errors');
  assert.equal(judgeErrors(server, run()).holds, false, '2 of 20 = 10%, not more');
  const none = run({ summary: summary({ responses: { total: 0, '1xx': 0, '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0 } }) });
  assert.equal(judgeErrors(server, none).holds, false);
});

void test('invalid conditions are refused with the field named', () => {
  const problems = (c: unknown) =>
    AlertCondition.safeParse(c)
      .error?.issues.map((i) => i.path.join('.'))
      .join(',');
  assert.match(problems({ kind: 'node_resource', resource: 'cpu', abovePercent: 101 }) ?? '', /abovePercent/);
  assert.match(problems({ kind: 'job_errors', httpStatus: '404' }) ?? '', /httpStatus/);
  assert.match(problems({ kind: 'job_errors', httpStatus: '600', maxStatusPercent: 5 }) ?? '', /httpStatus/);
  assert.match(problems({ kind: 'job_items', spider: 's', minItems: 1 }) ?? '', /spider/);
  assert.match(problems({ kind: 'job_items', minItems: 0 }) ?? '', /minItems/);
  assert.match(problems({ kind: 'schedule_fire', on: [] }) ?? '', /on/);
  assert.equal(problems({ kind: 'schedule_fire' }), undefined);
});

const node = (over: Partial<NodeInfo> = {}): NodeInfo => ({
  nodeId: 'n1',
  kind: 'permanent',
  online: true,
  revoked: false,
  cordoned: false,
  dedicated: false,
  tags: [],
  slots: 2,
  running: 0,
  address: null,
  hostname: 'box',
  agentVersion: null,
  lastSeen: 1_000,
  createdAt: 0,
  host: {
    at: 10_000,
    cpuPercent: 95,
    cpus: 4,
    load1: 0,
    load5: 0,
    load15: 0,
    memUsedBytes: 3,
    memTotalBytes: 4,
    diskUsedBytes: 1,
    diskTotalBytes: 4,
    netRxBytesPerSec: 0,
    netTxBytesPerSec: 0,
  },
  ...over,
});

void test('node rules: offline after the start-up grace; resources from a fresh sample only', () => {
  const offline = parse({ kind: 'node_offline' });
  assert.ok(offline.kind === 'node_offline');
  assert.equal(judgeNode(offline, node(), 10_000, true).holds, false);
  assert.equal(judgeNode(offline, node({ online: false }), 10_000, true).holds, true);
  assert.equal(judgeNode(offline, node({ online: false }), 10_000, false).holds, false, 'still in the grace');
  const mem = parse({ kind: 'node_resource', resource: 'memory', abovePercent: 70 });
  const disk = parse({ kind: 'node_resource', resource: 'disk', abovePercent: 70 });
  assert.ok(mem.kind === 'node_resource' && disk.kind === 'node_resource');
  const v = judgeNode(mem, node(), 10_000, true);
  assert.equal(v.holds, true);
  assert.equal(v.summary, 'node n1 memory 75.0% above 70%');
  assert.equal(judgeNode(disk, node(), 10_000, true).holds, false);
  assert.equal(judgeNode(mem, node(), 10_000 + 600_000, true).holds, false, 'a stale sample says nothing');
  assert.equal(judgeNode(mem, node({ online: false }), 10_000, true).holds, false);
});

void test('schedule fires: missed, skipped and failed hold as chosen; an on-time fire resolves; waiting says nothing', () => {
  const fire = (over: object) => ({
    scheduleId: 's1',
    scheduledAt: 0,
    trigger: 'cron',
    status: 'queued',
    reasonCode: null,
    reason: null,
    jobId: null,
    ...over,
  });
  assert.equal(fireProblem(fire({})), 'ok');
  assert.equal(fireProblem(fire({ status: 'waiting' })), null);
  assert.equal(fireProblem(fire({ status: 'skipped', reasonCode: 'overlap' })), 'skipped');
  assert.equal(fireProblem(fire({ trigger: 'misfire', status: 'skipped', reasonCode: 'misfire' })), 'missed');
  assert.equal(fireProblem(fire({ trigger: 'misfire' })), 'missed', 'run late after a misfire');
  assert.equal(fireProblem(fire({ status: 'failed', reasonCode: 'refused' })), 'failed');
  const c = parse({ kind: 'schedule_fire', on: ['failed'] });
  assert.ok(c.kind === 'schedule_fire');
  assert.equal(judgeFire(c, fire({ status: 'failed', reason: 'no such spider' }))!.holds, true);
  assert.equal(judgeFire(c, fire({ status: 'skipped', reasonCode: 'overlap' }))!.holds, false);
  assert.equal(judgeFire(c, fire({ status: 'waiting' })), null);
});
