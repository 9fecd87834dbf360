/**
 * A network partition between an agent and the master (a TCP proxy that holds every byte for ~20 s, like an
 * unplugged cable): the master sees the node go offline and the job unreachable, the crawl goes on, and once the
 * link is back the log arrives with no gap and no duplicate, and the job finishes normally (not lost, not rerun).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { crawlPids, startAgent } from '../helpers/agents.js';
import {
  assertCompleteSlowItems,
  assertCompleteSlowLog,
  jobInfo,
  nodeInfo,
  startCluster,
  ticksOf,
  waitState,
  waitJobFinished,
} from '../helpers/cluster.js';
import { deploy, schedule, waitLog } from '../helpers/jobs.js';
import { startProxy } from '../helpers/tcp-proxy.js';
import { waitFor } from '../helpers/wait.js';

const CUT_MS = 20_000;

void test(
  'a 20 s partition: the crawl goes on and its log arrives with no gap and no duplicate',
  { timeout: 240_000 },
  async (t) => {
    const { master, url, api, rest } = await startCluster(t, { env: { SCRAPYARD_LOST_GRACE: '120' } });
    const proxy = await startProxy(master.port);
    t.after(() => proxy.close());
    const agent = await startAgent(t, {
      master: { url },
      masterUrl: `ws://127.0.0.1:${proxy.port}/agent/v1/ws`,
      nodeId: 'far',
      slots: 1,
    });
    await deploy(api);
    const seconds = 32;
    const id = await schedule(api, { project: 'demo', spider: 'slow', seconds: String(seconds), jobid: 'storm' });
    const started = await waitState(api, id, 'running');
    assert.equal(started.node_id, 'far');
    const logPath = `/logs/demo/slow/${id}.log`;
    await waitLog(api, logPath, /SLOW_TICK 3\n/);
    const before = await jobInfo(rest, id);

    proxy.cut();
    const cutAt = Date.now();
    await waitFor(async () => !(await nodeInfo(rest, 'far')).online, {
      what: 'the master to see the node offline',
      timeoutMs: 15_000,
    });
    await waitFor(async () => (await jobInfo(rest, id)).unreachable, { what: 'the job to be unreachable' });
    const ticksEarly = ticksOf((await api.raw('GET', logPath)).text).length;
    await sleep(Math.max(0, cutAt + CUT_MS - 1_000 - Date.now()));
    const ticksLate = ticksOf((await api.raw('GET', logPath)).text).length;
    assert.equal(ticksLate, ticksEarly, 'nothing crossed the partition');
    assert.ok(crawlPids(agent).length > 0, 'the crawl goes on during the partition');
    const during = await jobInfo(rest, id);
    assert.deepEqual(
      { state: during.state, runId: during.runId, attempt: during.attempt },
      { state: 'running', runId: before.runId, attempt: 1 },
    );
    await sleep(Math.max(0, cutAt + CUT_MS - Date.now()));

    proxy.restore();
    await waitFor(async () => (await nodeInfo(rest, 'far')).online, {
      what: 'the node to be back online',
      timeoutMs: 45_000,
    });
    const done = await waitJobFinished(rest, id, 'the crawl to finish', 60_000);
    assert.deepEqual(
      { outcome: done.outcome, attempt: done.attempt, runId: done.runId, nodeId: done.nodeId },
      { outcome: 'succeeded', attempt: 1, runId: before.runId, nodeId: 'far' },
    );
    const log = (await api.raw('GET', logPath)).text;
    assertCompleteSlowLog(log, seconds);
    assert.ok(ticksOf(log).length > ticksLate + 10, 'what the crawl logged during the partition arrived afterwards');
    assertCompleteSlowItems((await api.raw('GET', `/items/demo/slow/${id}.jl`)).text, ticksOf(log).length);
    assert.ok(agent.running(), 'the agent survived the partition');
  },
);
