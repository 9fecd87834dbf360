/**
 * A run the agent never recorded: the master believes a run goes on on a node whose agent has no record of it
 * (the node lost its state: agent stopped, crawl gone, database deleted). At the handshake the master requeues the
 * job without using up an attempt (it never ran there as far as the agent knows), and it runs again.
 */
import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { crawlPids, killAgentCrawls, startAgent } from '../helpers/agents.js';
import {
  assertCompleteSlowLog,
  jobInfo,
  logRecords,
  nodeInfo,
  rawJobs,
  startCluster,
  waitJobFinished,
  waitState,
} from '../helpers/cluster.js';
import { deploy, schedule, waitLog } from '../helpers/jobs.js';
import { waitFor } from '../helpers/wait.js';

void test(
  'a run the agent has no record of is requeued without using up an attempt, and runs again',
  { timeout: 240_000 },
  async (t) => {
    // A long grace: only the agent's own report may end this run.
    const { master, url, api, rest } = await startCluster(t, { env: { SCRAPYARD_LOST_GRACE: '120' } });
    const agent = await startAgent(t, { master: { url }, nodeId: 'amnesiac', slots: 1 });
    await deploy(api);
    const seconds = 12;
    const id = await schedule(api, { project: 'demo', spider: 'slow', seconds: String(seconds), jobid: 'forgotten' });
    assert.equal((await waitState(api, id, 'running')).node_id, 'amnesiac');
    await waitLog(api, `/logs/demo/slow/${id}.log`, /SLOW_TICK 2\n/);
    const first = await jobInfo(rest, id);

    // The node loses its state: agent stopped, its crawl gone, its database deleted (the credential is kept).
    await agent.stop();
    killAgentCrawls(agent);
    await waitFor(() => crawlPids(agent).length === 0, { what: 'the crawl to be gone' });
    for (const f of ['agent.sqlite', 'agent.sqlite-wal', 'agent.sqlite-shm']) {
      rmSync(join(agent.dataDir, f), { force: true });
    }
    assert.ok(existsSync(agent.credentialFile), 'the node keeps its identity');
    await waitFor(async () => !(await nodeInfo(rest, 'amnesiac')).online, { what: 'the node to be offline' });
    const away = await jobInfo(rest, id);
    assert.deepEqual(
      { state: away.state, unreachable: away.unreachable, runId: away.runId },
      { state: 'running', unreachable: true, runId: first.runId },
      'while the node is away the master still believes the run goes on',
    );

    await agent.restart();
    const again = await waitFor(
      async () => {
        const i = await jobInfo(rest, id);
        return i.runId !== first.runId ? i : undefined;
      },
      { what: 'the job to be requeued under a new run id', timeoutMs: 30_000 },
    );
    assert.equal(again.attempt, 1, 'a run that never ran there does not use up an attempt');
    assert.match(String(again.reason), /agent amnesiac has no record of this run/);
    const requeued = logRecords(master.output(), 'run lost: job requeued').filter((r) => r.runId === first.runId);
    assert.equal(requeued.length, 1, 'requeued once');
    assert.equal(requeued[0]!.newRunId, again.runId);

    const done = await waitJobFinished(rest, id, 'the job to run again and finish', 60_000);
    assert.deepEqual(
      { outcome: done.outcome, attempt: done.attempt, runId: done.runId, nodeId: done.nodeId },
      { outcome: 'succeeded', attempt: 1, runId: again.runId, nodeId: 'amnesiac' },
    );
    assertCompleteSlowLog((await api.raw('GET', `/logs/demo/slow/${id}.log`)).text, seconds);
    const jobs = await rawJobs(api, 'demo');
    assert.deepEqual(
      jobs.finished.filter((j) => j.id === id).map((j) => j.outcome),
      ['succeeded'],
      'one finished entry for the job',
    );
    assert.equal(jobs.running.length + jobs.pending.length, 0);
  },
);
