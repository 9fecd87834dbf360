/**
 * Agent faults with real processes: kill -9 of an agent mid-crawl (the crawl goes on; the restarted agent
 * re-adopts it and the master's log is complete), a node that never comes back (after heartbeat timeout + lost
 * grace its jobs are requeued on another agent while retries allow, else finished as lost), and a node that comes
 * back after its job was requeued elsewhere (it is told to kill the stale crawl).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { crawlPids, killAgentCrawls, startAgent } from '../helpers/agents.js';
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
import { waitFor } from '../helpers/wait.js';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

void test(
  'kill -9 of an agent mid-crawl: the crawl goes on and its log is complete after the restart',
  { timeout: 240_000 },
  async (t) => {
    // A long grace: this test is about re-adoption, not about losing the run.
    const { url, api, rest } = await startCluster(t, { env: { SCRAPYARD_LOST_GRACE: '120' } });
    const agent = await startAgent(t, { master: { url }, nodeId: 'k9', slots: 1 });
    await deploy(api);
    const id = await schedule(api, { project: 'demo', spider: 'slow', seconds: '10', jobid: 'survivor' });
    const before = await waitState(api, id, 'running');
    await waitLog(api, `/logs/demo/slow/${id}.log`, /SLOW_TICK 3\n/);
    const [pid] = crawlPids(agent);
    assert.ok(pid !== undefined && alive(pid), 'the crawl runs under the agent');

    await agent.kill9();
    await waitFor(async () => (await jobInfo(rest, id)).unreachable, {
      what: 'the job to show unreachable while its node is down',
      timeoutMs: 10_000,
    });
    const during = await jobInfo(rest, id);
    assert.equal(during.state, 'running', 'an unreachable job is still running');
    assert.equal((await nodeInfo(rest, 'k9')).online, false);
    assert.ok(alive(pid), 'the crawl outlives its agent');

    await agent.restart();
    await waitFor(async () => !(await jobInfo(rest, id)).unreachable, { what: 'the job to be reachable again' });
    const done = await waitJobFinished(rest, id, 'the re-adopted crawl to finish', 60_000);
    assert.deepEqual(
      { outcome: done.outcome, attempt: done.attempt, nodeId: done.nodeId, runId: done.runId },
      { outcome: 'succeeded', attempt: 1, nodeId: 'k9', runId: during.runId },
    );
    assert.equal(before.pid, during.pid, 'same crawl process before and after');
    const log = (await api.raw('GET', `/logs/demo/slow/${id}.log`)).text;
    assertCompleteSlowLog(log, 10);
    assertCompleteSlowItems((await api.raw('GET', `/items/demo/slow/${id}.jl`)).text, ticksOf(log).length);
  },
);

void test(
  'a node that never comes back: lost after the grace, requeued on another agent while retries allow',
  { timeout: 240_000 },
  async (t) => {
    // Heartbeat timeout 3 s, lost grace 5 s, lost_job_retries 1; the stubborn spider gets retries 0 by policy.
    const { url, api, rest } = await startCluster(t);
    const doomed = await startAgent(t, { master: { url }, nodeId: 'doomed', slots: 2 });
    await deploy(api);
    await rest.ok('PUT', '/api/v1/projects/demo/spiders/stubborn/policy', { retries: 0 });
    const retried = await schedule(api, { project: 'demo', spider: 'slow', seconds: '6', jobid: 'retried' });
    const given = await schedule(api, { project: 'demo', spider: 'stubborn', seconds: '30', jobid: 'given-up' });
    for (const id of [retried, given]) assert.equal((await waitState(api, id, 'running')).node_id, 'doomed');
    const first = await jobInfo(rest, retried);
    assert.equal(first.attempt, 1);
    // Only now a second agent: the jobs above could only go to `doomed`.
    const rescuer = await startAgent(t, { master: { url }, nodeId: 'rescuer', slots: 2 });
    await waitLog(api, `/logs/demo/slow/${retried}.log`, /SLOW_TICK 2\n/);

    const killedAt = Date.now();
    await doomed.kill9();
    killAgentCrawls(doomed);
    await waitFor(async () => (await jobInfo(rest, retried)).unreachable, { what: 'unreachable', timeoutMs: 10_000 });

    // After the grace: the slow job is requeued (attempt 2) and runs on the rescuer.
    const second = await waitFor(
      async () => {
        const i = await jobInfo(rest, retried);
        return i.attempt === 2 ? i : undefined;
      },
      { what: 'the lost job to be requeued', timeoutMs: 30_000 },
    );
    const lostAfter = Date.now() - killedAt;
    assert.ok(lostAfter >= 4_000, `not declared lost before the grace (after ${lostAfter} ms)`);
    assert.notEqual(second.runId, first.runId, 'a new run id');
    assert.equal(second.id, retried, 'same job id');
    const final = await waitJobFinished(rest, retried, 'the retry to finish', 60_000);
    assert.deepEqual(
      { outcome: final.outcome, attempt: final.attempt, nodeId: final.nodeId },
      { outcome: 'succeeded', attempt: 2, nodeId: 'rescuer' },
    );
    const log = (await api.raw('GET', `/logs/demo/slow/${retried}.log`)).text;
    assertCompleteSlowLog(log, 6); // the retry's own complete log, not mixed with the lost attempt's
    // The lost attempt is kept with the job: its run, node and why it ended.
    const detail = await rest.get(`/api/v1/jobs/${retried}?project=demo`);
    const attempts = detail.attempts as { attempt: number; runId: string; nodeId: string; outcome: string }[];
    assert.deepEqual(
      attempts.map((a) => [a.attempt, a.runId, a.nodeId, a.outcome]),
      [[1, first.runId, 'doomed', 'lost']],
    );

    // The stubborn job had no retries left: finished as lost, never ran on the rescuer.
    const gaveUp = await waitJobFinished(rest, given, 'the job without retries to be finished', 30_000);
    assert.deepEqual({ outcome: gaveUp.outcome, attempt: gaveUp.attempt }, { outcome: 'lost', attempt: 1 });
    const listed = await api.get('listjobs.json', { project: 'demo' });
    const entries = (listed.finished as { id: string; outcome: string; node_id: string }[]).filter(
      (j) => j.id === retried || j.id === given,
    );
    assert.deepEqual(
      entries.map((e) => [e.id, e.outcome, e.node_id]).sort(),
      [
        [given, 'lost', 'doomed'],
        [retried, 'succeeded', 'rescuer'],
      ].sort(),
      `listjobs: ${JSON.stringify(entries)}`,
    );
    assert.equal((await nodeInfo(rest, rescuer.nodeId)).online, true);
  },
);

void test(
  'a node that comes back after its job was requeued elsewhere is told to kill the stale crawl',
  { timeout: 240_000 },
  async (t) => {
    const { url, api, rest } = await startCluster(t);
    const late = await startAgent(t, { master: { url }, nodeId: 'late', slots: 1 });
    await deploy(api);
    const id = await schedule(api, { project: 'demo', spider: 'slow', seconds: '25', jobid: 'twice' });
    assert.equal((await waitState(api, id, 'running')).node_id, 'late');
    const other = await startAgent(t, { master: { url }, nodeId: 'other', slots: 1 });
    await waitLog(api, `/logs/demo/slow/${id}.log`, /SLOW_TICK 2\n/);
    const [stalePid] = crawlPids(late);
    assert.ok(stalePid !== undefined);
    const staleRunId = (await jobInfo(rest, id)).runId;

    await late.kill9(); // its crawl keeps running, unsupervised
    const requeued = await waitFor(
      async () => {
        const i = await jobInfo(rest, id);
        return i.attempt === 2 && i.state === 'running' && i.nodeId === 'other' ? i : undefined;
      },
      { what: 'the job to run again on the other agent', timeoutMs: 30_000 },
    );
    assert.ok(alive(stalePid), 'the stale crawl was still running while its node was away');
    await late.restart();
    await waitFor(() => !alive(stalePid), { what: 'the stale crawl to be killed', timeoutMs: 20_000 });
    // The late agent reports the stale run's end and the master acknowledges it (the agent then deletes the run's
    // files): only after that is the retry checked, so whatever the stale ending could have done has been done.
    await waitFor(
      () =>
        new RegExp(`"runId":"${staleRunId}"[^\\n]*"msg":"crawl ended"`).test(late.output()) &&
        !existsSync(join(late.dataDir, 'runs', staleRunId)),
      { what: 'the stale run’s end to be reported and acknowledged', timeoutMs: 20_000 },
    );
    // The retry is untouched by the stale run: same run, still running on `other`, and it finishes normally.
    const still = await jobInfo(rest, id);
    assert.deepEqual(
      { state: still.state, runId: still.runId, nodeId: still.nodeId },
      { state: 'running', runId: requeued.runId, nodeId: 'other' },
    );
    const done = await waitJobFinished(rest, id, 'the retry to finish', 60_000);
    assert.equal(done.outcome, 'succeeded');
    assertCompleteSlowLog((await api.raw('GET', `/logs/demo/slow/${id}.log`)).text, 25);
    assert.deepEqual(crawlPids(late), [], 'nothing left running on the late node');
    assert.ok(other.running());
  },
);
