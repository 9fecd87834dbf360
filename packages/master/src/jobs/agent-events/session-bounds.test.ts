import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HANDSHAKE_MAX_SKEW_MS, type Heartbeat } from '@scrapyard/protocol';
import type { JobRow } from '../../db/repos/jobs.js';
import { HEARTBEAT_BURST, SessionBounds } from './session-bounds.js';

function setup() {
  const clock = { now: 1_000_000 };
  const warnings: unknown[] = [];
  const bounds = new SessionBounds({ log: { warn: (o: unknown) => warnings.push(o) }, now: () => clock.now });
  const session = { nodeId: 'n1', runs: new Set(['r1', 'r2']), slots: 2 };
  return { clock, warnings, bounds, session };
}
const row = (runId: string, nodeId: string) => ({ run_id: runId, node_id: nodeId }) as JobRow;

void test("a node's own run passes; another node's run is refused and logged once per run and kind", () => {
  const { warnings, bounds, session } = setup();
  assert.equal(bounds.ownRun(session, row('r1', 'n1'), 'log chunk')?.run_id, 'r1');
  assert.equal(bounds.ownRun(session, undefined, 'log chunk'), undefined);
  assert.equal(warnings.length, 0);
  for (let i = 0; i < 3; i++) assert.equal(bounds.ownRun(session, row('rx', 'n2'), 'log chunk'), undefined);
  bounds.ownRun(session, row('rx', 'n2'), 'job stats');
  assert.equal(warnings.length, 2);
  // Another session has its own record of refusals.
  bounds.ownRun({ ...session, nodeId: 'n3' }, row('rx', 'n2'), 'log chunk');
  assert.equal(warnings.length, 3);
});

void test('heartbeats beyond the burst are dropped until the bucket refills', () => {
  const { clock, bounds, session } = setup();
  const hb: Heartbeat = { running: 0, at: clock.now, jobs: [] };
  for (let i = 0; i < HEARTBEAT_BURST; i++) assert.equal(bounds.admitHeartbeat(session, hb), hb);
  assert.equal(bounds.admitHeartbeat(session, hb), null);
  clock.now += 1_000;
  assert.equal(bounds.admitHeartbeat(session, hb), hb);
  assert.equal(bounds.admitHeartbeat(session, hb), null);
  // A heartbeat with no metrics costs nothing and yields nothing.
  clock.now += 10_000;
  assert.equal(bounds.admitHeartbeat(session, { running: 0, at: clock.now }), null);
});

void test("a heartbeat keeps only the node's own runs, at most its slots, and sample times near our clock", () => {
  const { clock, bounds, session } = setup();
  const far = clock.now + HANDSHAKE_MAX_SKEW_MS + 1;
  const job = (runId: string) => ({ runId, cpuPercent: 1, rssBytes: 1 });
  const admitted = bounds.admitHeartbeat(session, {
    running: 3,
    at: far,
    jobs: [job('r1'), job('other'), job('r2')],
  });
  assert.deepEqual(admitted, { running: 3, at: clock.now, host: undefined, jobs: [job('r1'), job('r2')] });
  assert.equal(bounds.clamp(clock.now - 5), clock.now - 5);
});
