/**
 * The agent's outbox across a partition: a crawl that ends while its agent is cut off from the master has its
 * finish kept in the agent's SQLite and replayed after the reconnect; the master applies it exactly once (same
 * run, attempt 1, whole log and items), and the agent's outbox and run record are gone once acknowledged.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { crawlPids, queryAgentDb, startAgent, type AgentProcess } from '../helpers/agents.js';
import {
  assertCompleteSlowItems,
  assertCompleteSlowLog,
  jobInfo,
  logRecords,
  nodeInfo,
  rawJobs,
  startCluster,
  ticksOf,
  waitJobFinished,
  waitState,
} from '../helpers/cluster.js';
import { deploy, schedule, waitLog } from '../helpers/jobs.js';
import { startProxy } from '../helpers/tcp-proxy.js';
import { waitFor } from '../helpers/wait.js';

/** The events of an agent's outbox, oldest first. */
function outbox(agent: AgentProcess): { kind: string; runId: string; outcome?: string }[] {
  return queryAgentDb(agent, 'SELECT event FROM outbox ORDER BY seq').map(
    (r) => JSON.parse(String(r.event)) as { kind: string; runId: string; outcome?: string },
  );
}

void test(
  'a crawl that ends while its agent is cut off: the finish is replayed after the reconnect and applied once',
  { timeout: 240_000 },
  async (t) => {
    // A long grace: the master must still believe the job runs (unreachable) when the link comes back.
    const { master, url, api, rest } = await startCluster(t, { env: { SCRAPYARD_LOST_GRACE: '120' } });
    const proxy = await startProxy(master.port);
    t.after(() => proxy.close());
    const agent = await startAgent(t, {
      master: { url },
      masterUrl: `ws://127.0.0.1:${proxy.port}/agent/v1/ws`,
      nodeId: 'outbox',
      slots: 1,
    });
    await deploy(api);
    const seconds = 10;
    const id = await schedule(api, { project: 'demo', spider: 'slow', seconds: String(seconds), jobid: 'replayed' });
    assert.equal((await waitState(api, id, 'running')).node_id, 'outbox');
    const logPath = `/logs/demo/slow/${id}.log`;
    await waitLog(api, logPath, /SLOW_TICK 2\n/);
    const before = await jobInfo(rest, id);
    const runId = before.runId;
    const disconnectsBefore = logRecords(agent.output(), 'disconnected from master').length;

    proxy.cut();
    // Both sides notice the partition, and the crawl ends during it.
    await waitFor(async () => !(await nodeInfo(rest, 'outbox')).online, {
      what: 'the master to see the node offline',
      timeoutMs: 20_000,
    });
    await waitFor(() => logRecords(agent.output(), 'disconnected from master').length > disconnectsBefore, {
      what: 'the agent to drop its silent link',
      timeoutMs: 20_000,
    });
    await waitFor(
      () =>
        crawlPids(agent).length === 0 &&
        logRecords(agent.output(), 'crawl ended').some((r) => r.runId === runId && r.outcome === 'succeeded'),
      { what: 'the crawl to end during the partition', timeoutMs: 60_000 },
    );

    // The finish waits in the agent's outbox; the master has not heard of it.
    const pending = outbox(agent).filter((e) => e.runId === runId && e.kind === 'finished');
    assert.deepEqual(
      pending.map((e) => e.outcome),
      ['succeeded'],
      'the finish is stored in the outbox, once',
    );
    const during = await jobInfo(rest, id);
    assert.deepEqual(
      { state: during.state, unreachable: during.unreachable, runId: during.runId },
      { state: 'running', unreachable: true, runId },
      'the master still believes the job runs on the unreachable node',
    );
    assert.equal(logRecords(master.output(), 'job finished').length, 0, 'no finish crossed the partition');

    proxy.restore();
    const done = await waitJobFinished(rest, id, 'the replayed finish to be applied', 60_000);
    assert.deepEqual(
      { outcome: done.outcome, attempt: done.attempt, runId: done.runId, nodeId: done.nodeId },
      { outcome: 'succeeded', attempt: 1, runId, nodeId: 'outbox' },
    );
    const log = (await api.raw('GET', logPath)).text;
    assertCompleteSlowLog(log, seconds);
    assertCompleteSlowItems((await api.raw('GET', `/items/demo/slow/${id}.jl`)).text, ticksOf(log).length);

    // Acknowledged: the outbox is empty and the run record is purged (only after every byte was acknowledged).
    await waitFor(() => outbox(agent).length === 0 && queryAgentDb(agent, 'SELECT run_id FROM runs').length === 0, {
      what: "the agent's outbox and run record to be cleared once acknowledged",
      timeoutMs: 30_000,
    });

    // Applied exactly once: one finished entry, one finished count, one "job finished" for this run.
    const jobs = await rawJobs(api, 'demo');
    assert.deepEqual(
      jobs.finished.filter((j) => j.id === id).map((j) => j.outcome),
      ['succeeded'],
    );
    assert.equal(jobs.running.length + jobs.pending.length, 0);
    const status = await api.get('daemonstatus.json');
    assert.deepEqual(
      { running: status.running, pending: status.pending, finished: status.finished },
      {
        running: 0,
        pending: 0,
        finished: 1,
      },
    );
    const applied = logRecords(master.output(), 'job finished').filter((r) => r.runId === runId);
    assert.equal(applied.length, 1, `the finish was applied once: ${JSON.stringify(applied)}`);
    assert.ok(agent.running(), 'the agent survived the partition');
  },
);
