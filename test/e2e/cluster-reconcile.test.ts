/**
 * A run the master gave up on comes back: cut off for longer than heartbeat timeout + lost grace with no retries
 * left, the job is finished `lost`; when the link returns the agent still holds the run alive, and the handshake
 * resurrects it (same run, running again), then it finishes normally with its whole log, no gap, no duplicate.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { crawlPids, startAgent } from '../helpers/agents.js';
import {
  assertCompleteSlowItems,
  assertCompleteSlowLog,
  jobInfo,
  logRecords,
  rawJobs,
  startCluster,
  ticksOf,
  waitJobFinished,
  waitState,
} from '../helpers/cluster.js';
import { deploy, schedule, waitLog } from '../helpers/jobs.js';
import { startProxy } from '../helpers/tcp-proxy.js';
import { waitFor } from '../helpers/wait.js';

void test(
  'a lost run that comes back running is resurrected and finishes with its whole log',
  { timeout: 240_000 },
  async (t) => {
    // Heartbeat timeout 3 s, lost grace 5 s; no retries for this spider, so the job is finished as lost.
    const { master, url, api, rest } = await startCluster(t);
    const proxy = await startProxy(master.port);
    t.after(() => proxy.close());
    const agent = await startAgent(t, {
      master: { url },
      masterUrl: `ws://127.0.0.1:${proxy.port}/agent/v1/ws`,
      nodeId: 'returns',
      slots: 1,
    });
    await deploy(api);
    await rest.ok('PUT', '/api/v1/projects/demo/spiders/slow/policy', { retries: 0 });
    const seconds = 36;
    const id = await schedule(api, { project: 'demo', spider: 'slow', seconds: String(seconds), jobid: 'lazarus' });
    assert.equal((await waitState(api, id, 'running')).node_id, 'returns');
    const logPath = `/logs/demo/slow/${id}.log`;
    await waitLog(api, logPath, /SLOW_TICK 2\n/);
    const { runId } = await jobInfo(rest, id);

    proxy.cut();
    const lost = await waitFor(
      async () => {
        const i = await jobInfo(rest, id);
        return i.state === 'finished' ? i : undefined;
      },
      { what: 'the master to give the run up', timeoutMs: 30_000 },
    );
    assert.deepEqual(
      { outcome: lost.outcome, attempt: lost.attempt, runId: lost.runId },
      { outcome: 'lost', attempt: 1, runId },
      'no retries left: finished as lost, not requeued',
    );
    assert.equal(crawlPids(agent).length, 1, 'the crawl goes on behind the partition');

    proxy.restore();
    const back = await waitFor(
      async () => {
        const i = await jobInfo(rest, id);
        return i.state === 'running' ? i : undefined;
      },
      { what: 'the run to be running again', timeoutMs: 45_000 },
    );
    assert.deepEqual(
      { runId: back.runId, attempt: back.attempt, nodeId: back.nodeId, outcome: back.outcome },
      { runId, attempt: 1, nodeId: 'returns', outcome: null },
      'the same run, resurrected',
    );
    assert.ok(
      logRecords(master.output(), 'lost run is back: running again').some((r) => r.runId === runId),
      'the master says it resurrected the run',
    );

    const done = await waitJobFinished(rest, id, 'the resurrected run to finish', 60_000);
    assert.deepEqual(
      { outcome: done.outcome, attempt: done.attempt, runId: done.runId, nodeId: done.nodeId },
      { outcome: 'succeeded', attempt: 1, runId, nodeId: 'returns' },
    );
    const log = (await api.raw('GET', logPath)).text;
    assertCompleteSlowLog(log, seconds);
    assertCompleteSlowItems((await api.raw('GET', `/items/demo/slow/${id}.jl`)).text, ticksOf(log).length);
    const jobs = await rawJobs(api, 'demo');
    assert.deepEqual(
      jobs.finished.filter((j) => j.id === id).map((j) => j.outcome),
      ['succeeded'],
      'one finished entry, no longer lost',
    );
    assert.equal(jobs.running.length + jobs.pending.length, 0, 'nothing requeued');
    // The run finished twice, each time once: as lost (the master's guess, during the cut), then for real.
    assert.deepEqual(
      logRecords(master.output(), 'job finished')
        .filter((r) => r.runId === runId)
        .map((r) => r.outcome),
      ['lost', 'succeeded'],
    );
  },
);
