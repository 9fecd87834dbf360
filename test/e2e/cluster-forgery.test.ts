/**
 * A node acts only on its own runs. A second, properly registered node (a raw protocol peer holding its own valid
 * credential) forges every kind of message that names the first node's running job: the runs of its hello
 * (`known`, `running`), started and finished events, log and items chunks, per-job metrics. Each is refused and
 * logged, and nothing changes: the job keeps running on its node and finishes normally with a complete log and
 * items, no forged byte or metric lands, and no offset of the victim's files is revealed.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { enroll, gatewayUrl, startAgent } from '../helpers/agents.js';
import {
  assertCompleteSlowItems,
  assertCompleteSlowLog,
  jobInfo,
  logRecords,
  startCluster,
  ticksOf,
  waitJobFinished,
  waitState,
} from '../helpers/cluster.js';
import { request } from '../helpers/http.js';
import { deploy, schedule, waitLog } from '../helpers/jobs.js';
import { rawHandshake, type RawFrame } from '../helpers/raw-agent.js';
import { waitFor } from '../helpers/wait.js';

void test("a node's forged messages about another node's run are refused and change nothing", async (t) => {
  const { master, url, api, rest } = await startCluster(t, {
    env: { SCRAPYARD_LOST_GRACE: '120', SCRAPYARD_HEARTBEAT_TIMEOUT: '15' },
  });
  await startAgent(t, { master: { url }, nodeId: 'owner', slots: 1, config: { metricsIntervalMs: 1_000 } });
  await deploy(api);
  const id = await schedule(api, { project: 'demo', spider: 'slow', seconds: '12', jobid: 'victim' });
  const running = await waitState(api, id, 'running');
  await waitLog(api, `/logs/demo/slow/${id}.log`, /SLOW_TICK 2\n/);
  const victim = await jobInfo(rest, id);
  assert.equal(victim.nodeId, 'owner');

  // The forger is a real, registered node with its own valid secret.
  const enrollment = await enroll(url);
  const registered = await request(`${url}/agent/v1/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      enrollKey: enrollment.key,
      enrollSecret: enrollment.secret,
      nodeId: 'forger',
      hostname: 'forger',
    }),
  });
  assert.equal(registered.status, 200, registered.text);
  const secret = Buffer.from(String(registered.json.secret), 'hex');

  // Its hello claims the victim's run as known and running: no resume offset, no resurrection, no cancel.
  const session = await rawHandshake(gatewayUrl(url), {
    nodeId: 'forger',
    secret,
    keepOpen: true,
    hello: {
      known: [victim.runId],
      running: [{ runId: victim.runId, pid: 4_242, startedAt: Date.now() }],
    },
  });
  t.after(() => session.ws.terminate());
  assert.equal(session.verdict, 'welcome');
  const welcome = session.frames.find((f) => f.type === 'welcome')!.payload as {
    resume: { runId: string }[];
    cancel: { runId: string }[];
  };
  assert.deepEqual(welcome.resume, [], 'no offset of the victim’s files is revealed');
  assert.deepEqual(welcome.cancel, []);

  const send = (type: string, payload: unknown) => session.ws.send(JSON.stringify({ type, payload }));
  const acks = (type: string) => session.frames.filter((f: RawFrame) => f.type === type);
  const now = Date.now();
  send('job.events', {
    events: [
      { seq: 1, event: { kind: 'started', runId: victim.runId, pid: 4_242, startedAt: now } },
      {
        seq: 2,
        event: {
          kind: 'finished',
          runId: victim.runId,
          startedAt: now,
          endedAt: now,
          exitCode: 1,
          signal: null,
          outcome: 'failed',
          reason: 'forged',
          logBytes: 0,
          itemsBytes: 0,
        },
      },
    ],
  });
  send('heartbeat', { running: 1, at: now, jobs: [{ runId: victim.runId, cpuPercent: 999, rssBytes: 7 }] });
  const forged = Buffer.from('FORGED LINE\n').toString('base64');
  for (const [stream, offset] of [
    ['log', 0],
    ['log', 1_000_000],
    ['items', 0],
  ] as const) {
    send('log.chunk', { runId: victim.runId, stream, offset, data: forged });
  }
  // The master answers in order: the events' ack, then one ack per chunk (the heartbeat, between them, has none).
  await waitFor(() => acks('events.ack').length === 1 && acks('log.ack').length === 3, {
    what: 'the master to have handled every forged frame',
    timeoutMs: 15_000,
  });
  assert.deepEqual(acks('events.ack')[0]!.payload, { upToSeq: 2 });
  // Each chunk is acknowledged at its own end: the ack tells the forger nothing about the real file.
  assert.deepEqual(
    acks('log.ack').map((a) => a.payload.offset),
    [12, 1_000_012, 12],
  );

  // Refused and logged, once per kind of message.
  const refusals = logRecords(master.output(), 'refused: a node named a run assigned to another node')
    .filter((r) => r.nodeId === 'forger' && r.runId === victim.runId)
    .map((r) => r.what)
    .sort();
  assert.deepEqual(refusals, ['hello', 'items chunk', 'job finished', 'job started', 'log chunk']);

  // Nothing changed: still running on its node with its own pid, and it finishes normally and completely.
  const during = await jobInfo(rest, id);
  assert.deepEqual(
    { state: during.state, nodeId: during.nodeId, pid: during.pid, runId: during.runId, outcome: during.outcome },
    { state: 'running', nodeId: 'owner', pid: running.pid, runId: victim.runId, outcome: null },
  );
  const done = await waitJobFinished(rest, id, 'the victim to finish normally', 60_000);
  assert.deepEqual({ outcome: done.outcome, nodeId: done.nodeId }, { outcome: 'succeeded', nodeId: 'owner' });
  const log = (await api.raw('GET', `/logs/demo/slow/${id}.log`)).text;
  assert.doesNotMatch(log, /FORGED/);
  assertCompleteSlowLog(log, 12);
  const items = (await api.raw('GET', `/items/demo/slow/${id}.jl`)).text;
  assert.doesNotMatch(items, /FORGED/);
  assertCompleteSlowItems(items, ticksOf(log).length);
  const samples = (await rest.get(`/api/v1/jobs/${id}/metrics?project=demo`)).samples as { cpuPercent: number }[];
  assert.ok(samples.length > 0, 'the owner’s own samples are there');
  assert.ok(!samples.some((s) => s.cpuPercent === 999), 'no forged metric');
  assert.equal(
    logRecords(master.output(), 'job finished').filter((r) => r.runId === victim.runId).length,
    1,
    'finished once, by its own node',
  );
});
