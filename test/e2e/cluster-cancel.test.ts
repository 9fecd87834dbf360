/**
 * cancel.json for jobs on remote agents: a connected agent signals the crawl at once (Scrapy logs it, outcome
 * `cancelled`); cancels issued while the agent is cut off are kept by the master and delivered when it comes
 * back — one cancel as the requested signal, two as SIGKILL (for a crawl that ignores the polite ones).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ScrapydClient } from '../helpers/clients.js';
import { crawlPids, startAgent } from '../helpers/agents.js';
import {
  jobInfo,
  logRecords,
  nodeInfo,
  startCluster,
  ticksOf,
  waitJobFinished,
  waitState,
} from '../helpers/cluster.js';
import { deploy, schedule, waitLog } from '../helpers/jobs.js';
import { startProxy } from '../helpers/tcp-proxy.js';
import { waitFor } from '../helpers/wait.js';

const cancel = async (api: ScrapydClient, job: string, signal?: string) =>
  ScrapydClient.ok(await api.post('cancel.json', { project: 'demo', job, ...(signal ? { signal } : {}) })).prevstate;

void test('cancel.json on a job running on a remote agent: the crawl gets the signal and ends cancelled', async (t) => {
  const { url, api, rest } = await startCluster(t);
  const agent = await startAgent(t, { master: { url }, nodeId: 'remote', slots: 1 });
  await deploy(api);
  const id = await schedule(api, { project: 'demo', spider: 'slow', seconds: '60', jobid: 'stopme' });
  assert.equal((await waitState(api, id, 'running')).node_id, 'remote');
  const logPath = `/logs/demo/slow/${id}.log`;
  await waitLog(api, logPath, /SLOW_TICK 2\n/);
  const { runId } = await jobInfo(rest, id);

  assert.equal(await cancel(api, id, 'TERM'), 'running');
  // A 60 s crawl: finishing within 30 s means the signal stopped it.
  const done = await waitJobFinished(rest, id, 'the cancelled crawl to finish', 30_000);
  assert.deepEqual(
    { outcome: done.outcome, runId: done.runId, attempt: done.attempt, nodeId: done.nodeId },
    { outcome: 'cancelled', runId, attempt: 1, nodeId: 'remote' },
  );
  const log = (await api.raw('GET', logPath)).text;
  assert.match(log, /Received SIGTERM, shutting down gracefully/, 'Scrapy got the requested signal');
  assert.match(log, /Spider closed \(shutdown\)/, 'and shut down gracefully');
  assert.ok(ticksOf(log).length < 100, `the crawl stopped early (${ticksOf(log).length} ticks of 120)`);
  assert.deepEqual(crawlPids(agent), [], 'no crawl left on the agent');
  assert.equal((await api.get('status.json', { job: id, project: 'demo' })).currstate, 'finished');
});

void test(
  'cancels issued while the agent is cut off are delivered when it returns: one as its signal, two as SIGKILL',
  { timeout: 240_000 },
  async (t) => {
    const { master, url, api, rest } = await startCluster(t, { env: { SCRAPYARD_LOST_GRACE: '120' } });
    const proxy = await startProxy(master.port);
    t.after(() => proxy.close());
    const agent = await startAgent(t, {
      master: { url },
      masterUrl: `ws://127.0.0.1:${proxy.port}/agent/v1/ws`,
      nodeId: 'away',
      slots: 2,
    });
    await deploy(api);
    const polite = await schedule(api, { project: 'demo', spider: 'slow', seconds: '60', jobid: 'polite' });
    const stubborn = await schedule(api, { project: 'demo', spider: 'stubborn', seconds: '120', jobid: 'stubborn' });
    for (const id of [polite, stubborn]) assert.equal((await waitState(api, id, 'running')).node_id, 'away');
    await waitLog(api, `/logs/demo/slow/${polite}.log`, /SLOW_TICK 2\n/);
    await waitLog(api, `/logs/demo/stubborn/${stubborn}.log`, /STUBBORN_IGNORING_SIGNALS/);
    const politeRun = (await jobInfo(rest, polite)).runId;
    const stubbornRun = (await jobInfo(rest, stubborn)).runId;
    const disconnectsBefore = logRecords(agent.output(), 'disconnected from master').length;

    proxy.cut();
    await waitFor(async () => !(await nodeInfo(rest, 'away')).online, {
      what: 'the master to see the node offline',
      timeoutMs: 20_000,
    });
    assert.equal(await cancel(api, polite), 'running', 'a cancel while the node is away answers running');
    assert.equal(await cancel(api, stubborn), 'running');
    assert.equal(await cancel(api, stubborn), 'running', 'so does a second one');
    // Nothing reached the agent: it lost the link too, and both crawls go on.
    await waitFor(() => logRecords(agent.output(), 'disconnected from master').length > disconnectsBefore, {
      what: 'the agent to drop its silent link',
      timeoutMs: 20_000,
    });
    assert.equal(crawlPids(agent).length, 2, 'both crawls still run during the partition');
    for (const id of [polite, stubborn]) {
      const i = await jobInfo(rest, id);
      assert.deepEqual({ state: i.state, unreachable: i.unreachable }, { state: 'running', unreachable: true });
    }

    proxy.restore();
    // 60 s and 120 s crawls: finishing within 45 s of the reconnect means the cancels arrived.
    const politeDone = await waitJobFinished(rest, polite, 'the polite crawl to end after the reconnect', 45_000);
    assert.deepEqual(
      { outcome: politeDone.outcome, runId: politeDone.runId, attempt: politeDone.attempt },
      { outcome: 'cancelled', runId: politeRun, attempt: 1 },
    );
    const politeLog = (await api.raw('GET', `/logs/demo/slow/${polite}.log`)).text;
    assert.match(politeLog, /Received SIGINT, shutting down gracefully/, 'the default signal reached Scrapy');
    assert.match(politeLog, /Spider closed \(shutdown\)/);

    const stubbornDone = await waitJobFinished(rest, stubborn, 'the stubborn crawl to be killed', 45_000);
    assert.deepEqual(
      { outcome: stubbornDone.outcome, runId: stubbornDone.runId, attempt: stubbornDone.attempt },
      { outcome: 'cancelled', runId: stubbornRun, attempt: 1 },
    );
    assert.match(String(stubbornDone.reason), /SIGKILL/, 'two cancels are delivered as SIGKILL');
    const stubbornLog = (await api.raw('GET', `/logs/demo/stubborn/${stubborn}.log`)).text;
    assert.doesNotMatch(stubbornLog, /STUBBORN_GOT_SIGNAL/, 'no polite signal was sent first');
    assert.doesNotMatch(stubbornLog, /Spider closed/, 'killed, not closed');
    assert.deepEqual(crawlPids(agent), [], 'no crawl left on the agent');
  },
);
