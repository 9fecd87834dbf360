/**
 * kill -9 of the master with a remote agent mid-crawl, then a restart on the same data dir and port: pending,
 * running and finished jobs are all still there, the agent reconnects by itself, the running crawl finishes with
 * a complete log, and the queue drains.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startAgent } from '../helpers/agents.js';
import {
  assertCompleteSlowItems,
  assertCompleteSlowLog,
  clusterOf,
  CLUSTER_ENV,
  jobInfo,
  rawJobs,
  startCluster,
  ticksOf,
  waitState,
} from '../helpers/cluster.js';
import { deploy, schedule, waitFinished, waitLog } from '../helpers/jobs.js';
import { startMaster, tempDir } from '../helpers/processes.js';
import { waitFor } from '../helpers/wait.js';

void test(
  'kill -9 of the master mid-crawl: jobs survive, the agent reconnects, the crawl completes',
  { timeout: 240_000 },
  async (t) => {
    const dataDir = tempDir(t);
    const first = await startCluster(t, { dataDir, env: { SCRAPYARD_LOST_GRACE: '120' } });
    const port = first.master.port;
    const agent = await startAgent(t, { master: { url: first.url }, nodeId: 'steady', slots: 1 });
    await deploy(first.api);

    const done = await schedule(first.api, { project: 'demo', spider: 'quick', jobid: 'before-crash' });
    await waitFinished(first.api, done);
    const slow = await schedule(first.api, { project: 'demo', spider: 'slow', seconds: '10', jobid: 'survivor' });
    const running = await waitState(first.api, slow, 'running');
    await waitLog(first.api, `/logs/demo/slow/${slow}.log`, /SLOW_TICK 3\n/);
    const pendingIds = ['p1', 'p2'];
    for (const jobid of pendingIds) await schedule(first.api, { project: 'demo', spider: 'quick', jobid });
    const gpu = await schedule(first.api, { project: 'demo', spider: 'quick', _tags: 'gpu', jobid: 'tagged' });
    assert.deepEqual(
      (await rawJobs(first.api)).pending.map((j) => j.id),
      [...pendingIds, gpu],
    );

    await first.master.kill9();
    await waitFor(() => /disconnected from master/.test(agent.currentOutput()), {
      what: 'the agent to notice the master is gone',
      timeoutMs: 15_000,
    });

    const second = clusterOf(
      await startMaster(t, {
        dataDir,
        args: ['--no-local-agent', '--port', String(port)],
        env: { ...CLUSTER_ENV, SCRAPYARD_LOST_GRACE: '120' },
      }),
    );
    assert.equal(second.master.port, port);
    const after = await rawJobs(second.api);
    assert.ok(
      after.finished.some((j) => j.id === done && j.node_id === 'steady'),
      'finished job kept',
    );
    const stillRunning = after.running.find((j) => j.id === slow);
    assert.ok(stillRunning, 'the running crawl is still running after the restart');
    assert.equal(stillRunning.pid, running.pid, 'same crawl process');
    const tagged = after.pending.find((j) => j.id === gpu);
    assert.ok(tagged, 'the pending tagged job is still queued');
    assert.deepEqual(tagged.tags, ['gpu']);

    // The agent dials again by itself (backoff), and its crawl is re-adopted.
    await waitFor(() => (agent.currentOutput().match(/connected to master/g) ?? []).length >= 2, {
      what: 'the agent to reconnect to the restarted master',
      timeoutMs: 30_000,
    });
    const survivor = await waitFinished(second.api, slow);
    assert.equal(survivor.outcome, 'succeeded');
    const info = await jobInfo(second.rest, slow);
    assert.deepEqual({ attempt: info.attempt, nodeId: info.nodeId }, { attempt: 1, nodeId: 'steady' });
    const log = (await second.api.raw('GET', `/logs/demo/slow/${slow}.log`)).text;
    assertCompleteSlowLog(log, 10);
    assertCompleteSlowItems((await second.api.raw('GET', `/items/demo/slow/${slow}.jl`)).text, ticksOf(log).length);

    for (const id of pendingIds) assert.equal((await waitFinished(second.api, id)).outcome, 'succeeded');
    const stillPending = await waitState(second.api, gpu, 'pending');
    assert.equal(stillPending.pending_reason, 'no online agent has tags [gpu]');
    const status = await second.api.get('daemonstatus.json');
    assert.deepEqual(
      { pending: status.pending, running: status.running, finished: status.finished },
      { pending: 1, running: 0, finished: 4 },
    );
  },
);
