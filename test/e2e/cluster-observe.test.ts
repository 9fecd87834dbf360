/**
 * Watching a cluster of two real agents: host metrics per node and per-job samples, the live log tail (SSE) of a
 * running crawl from start to `end` (and resumed from an offset), listjobs showing every agent's jobs with their
 * node, and daemonstatus counting cluster-wide.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ScrapydClient } from '../helpers/clients.js';
import { startAgent } from '../helpers/agents.js';
import { nodeInfo, rawJobs, startCluster, waitState } from '../helpers/cluster.js';
import { sseEvents, type RestClient } from '../helpers/http.js';
import { deploy, schedule, waitFinished } from '../helpers/jobs.js';
import { waitFor } from '../helpers/wait.js';

interface Chunk {
  offset: number;
  text: string;
}

/** Follows a tail to its `end` event; checks ids and offsets are contiguous. */
async function follow(
  rest: RestClient,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ chunks: Chunk[]; end: Record<string, unknown>; text: string; firstOffset: number | undefined }> {
  const res = await rest.stream(path, headers);
  assert.equal(res.statusCode, 200);
  assert.match(String(res.headers['content-type']), /^text\/event-stream/);
  const chunks: Chunk[] = [];
  let end: Record<string, unknown> | undefined;
  let next: number | undefined;
  for await (const ev of sseEvents(res)) {
    if (ev.event === 'chunk') {
      const c = JSON.parse(ev.data) as Chunk;
      if (next !== undefined) assert.equal(c.offset, next, 'chunks are contiguous');
      next = c.offset + Buffer.byteLength(c.text);
      assert.equal(ev.id, String(next), 'the event id is the end offset');
      chunks.push(c);
    } else if (ev.event === 'end') {
      end = JSON.parse(ev.data) as Record<string, unknown>;
      break;
    }
  }
  res.destroy();
  assert.ok(end, 'the stream ends with an `end` event');
  return { chunks, end, text: chunks.map((c) => c.text).join(''), firstOffset: chunks[0]?.offset };
}

void test('metrics, live tail, listjobs and daemonstatus across agents', { timeout: 240_000 }, async (t) => {
  // Not a fault test: the default 15 s heartbeat timeout, so a loaded machine (3 test files at once on 2 cores)
  // can't make a busy agent look dead; the agents must still stay connected throughout (checked at the end).
  const { url, api, rest } = await startCluster(t, { env: { SCRAPYARD_HEARTBEAT_TIMEOUT: '15' } });
  const fast = { metricsIntervalMs: 1_000 };
  const [a, b] = await Promise.all([
    startAgent(t, { master: { url }, nodeId: 'obs-a', slots: 2, tags: ['x'], config: fast }),
    startAgent(t, { master: { url }, nodeId: 'obs-b', slots: 2, config: fast }),
  ]);
  await deploy(api);

  // Host metrics of each node arrive within ~10 s, and NodeInfo carries the latest.
  const hostSamples = async (nodeId: string, query = '') => {
    const r = await rest.get(`/api/v1/nodes/${nodeId}/metrics${query}`);
    assert.equal(r.nodeId, nodeId);
    return r.samples as Record<string, number>[];
  };
  await Promise.all(
    [a, b].map((n) =>
      waitFor(async () => (await hostSamples(n.nodeId)).length > 0, {
        what: `host metrics of ${n.nodeId}`,
        timeoutMs: 10_000,
      }),
    ),
  );
  for (const n of [a, b]) assert.ok((await nodeInfo(rest, n.nodeId)).host !== null, 'NodeInfo.host is set');

  // One crawl per agent (the tagged one can only go to obs-a, so the untagged one goes to the emptier obs-b),
  // and one job nobody can take.
  const onA = await schedule(api, { project: 'demo', spider: 'slow', seconds: '12', _tags: 'x', jobid: 'tail-a' });
  const onB = await schedule(api, { project: 'demo', spider: 'slow', seconds: '12', jobid: 'tail-b' });
  const stuck = await schedule(api, { project: 'demo', spider: 'quick', _tags: 'nowhere', jobid: 'stuck' });
  await waitState(api, onA, 'running');
  await waitState(api, onB, 'running');
  const jobs = await rawJobs(api);
  assert.deepEqual(jobs.running.map((j) => [j.id, j.node_id]).sort(), [
    [onA, 'obs-a'],
    [onB, 'obs-b'],
  ]);
  assert.deepEqual(
    jobs.pending.map((j) => [j.id, j.node_id ?? null, j.pending_reason]),
    [[stuck, null, 'no online agent has tags [nowhere]']],
  );
  const restRunning = (await rest.get('/api/v1/jobs?project=demo&state=running')).jobs as {
    id: string;
    nodeId: string;
    state: string;
  }[];
  assert.deepEqual(restRunning.map((j) => [j.id, j.nodeId, j.state]).sort(), [
    [onA, 'obs-a', 'running'],
    [onB, 'obs-b', 'running'],
  ]);
  const status = await api.get('daemonstatus.json');
  assert.deepEqual(
    { status: status.status, pending: status.pending, running: status.running, finished: status.finished },
    { status: 'ok', pending: 1, running: 2, finished: 0 },
  );

  // The live tail of obs-a's crawl, while per-job metrics of obs-b's crawl come in.
  const logPath = `/logs/demo/slow/${onA}.log`;
  const [tail] = await Promise.all([
    follow(rest, `/api/v1/jobs/${onA}/log/stream?project=demo`),
    waitFor(
      async () => {
        const s = (await rest.get(`/api/v1/jobs/${onB}/metrics?project=demo`)).samples as Record<string, number>[];
        return s.length > 0 && s.every((x) => x.rssBytes! > 0 && x.cpuPercent! >= 0) ? s : undefined;
      },
      { what: 'job metrics of the running crawl', timeoutMs: 10_000 },
    ),
  ]);
  assert.deepEqual(tail.end, { state: 'finished', outcome: 'succeeded' });
  assert.ok(tail.chunks.length >= 3, `appends arrive live, in several chunks (got ${tail.chunks.length})`);
  assert.equal(tail.firstOffset, 0);
  const file = (await api.raw('GET', logPath)).text;
  assert.equal(tail.text, file, 'the tail delivered the whole log, exactly');
  assert.match(tail.text, /Spider closed \(finished\)/);

  // Resumed from an offset (query and Last-Event-ID), and the items stream, of finished jobs: straight to `end`.
  const mid = Buffer.byteLength(file) >> 1;
  const rest1 = await follow(rest, `/api/v1/jobs/${onA}/log/stream?project=demo&offset=${mid}`);
  assert.equal(rest1.firstOffset, mid);
  assert.equal(rest1.text, Buffer.from(file).subarray(mid).toString());
  const rest2 = await follow(rest, `/api/v1/jobs/${onA}/log/stream?project=demo`, { 'last-event-id': String(mid) });
  assert.equal(rest2.text, rest1.text);
  await waitFinished(api, onB);
  const items = await follow(rest, `/api/v1/jobs/${onB}/log/stream?project=demo&stream=items`);
  assert.equal(items.text, (await api.raw('GET', `/items/demo/slow/${onB}.jl`)).text);
  assert.ok(items.text.split('\n').filter(Boolean).length >= 20);

  const after = await api.get('daemonstatus.json');
  assert.deepEqual(
    { pending: after.pending, running: after.running, finished: after.finished },
    {
      pending: 1,
      running: 0,
      finished: 2,
    },
  );
  // By now (well over 10 s later) several host samples per node: plausible, oldest first; since and limit work.
  for (const n of [a, b]) {
    const samples = await hostSamples(n.nodeId);
    assert.ok(samples.length >= 2, `${n.nodeId}: ${samples.length} host samples`);
    for (const s of samples) {
      assert.ok(s.cpus! >= 1 && s.memTotalBytes! > 0 && s.diskTotalBytes! > 0, JSON.stringify(s));
      assert.ok(s.cpuPercent! >= 0 && s.cpuPercent! <= 100);
      assert.ok(s.memUsedBytes! <= s.memTotalBytes! && s.diskUsedBytes! <= s.diskTotalBytes!);
      assert.ok(Math.abs(Date.now() - s.at!) < 120_000, 'recent');
    }
    const ats = samples.map((s) => s.at!);
    assert.deepEqual(
      ats,
      [...ats].sort((x, y) => x - y),
      'oldest first',
    );
    const limited = await hostSamples(n.nodeId, `?since=${ats[0]! + 1}&limit=1`);
    assert.equal(limited.length, 1);
    assert.ok(limited[0]!.at! > ats[0]!);
  }
  // Idle or busy, the agents stayed connected the whole time (heartbeats beat the heartbeat timeout).
  for (const n of [a, b]) {
    assert.equal(
      (n.output().match(/connected to master/g) ?? []).length,
      1,
      `${n.nodeId} connected once and never dropped:\n${n
        .output()
        .split('\n')
        .filter((l) => /disconnected|connected to master/.test(l))
        .join('\n')}`,
    );
  }
  ScrapydClient.ok(await api.post('cancel.json', { project: 'demo', job: stuck }));
  assert.equal((await api.get('daemonstatus.json')).pending, 0);
});
