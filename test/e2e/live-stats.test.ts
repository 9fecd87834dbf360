/**
 * Live Scrapy stats, end to end: the runner's extension reports a real crawl's stats over its run's socket, the
 * agent forwards them, and the master shows them while the crawl runs (REST stats and JobInfo, listjobs.json's
 * additive `stats`). The final stats are exactly Scrapy's own closing dump (compared with the "Dumping Scrapy
 * stats" block of the job's log), exceptions arrive with their tracebacks, garbage on a run's socket harms
 * nothing, and a crawl whose socket is gone still finishes normally with its final stats from the closing dump.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, rmSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { JobStatsResponse, ListJobsResponseBody, type JobInfo } from '@scrapyard/protocol';
import { crawlPids, enroll, gatewayUrl, startAgent } from '../helpers/agents.js';
import { ScrapydClient } from '../helpers/clients.js';
import { jobInfo, logRecords, startCluster, waitState } from '../helpers/cluster.js';
import { request, RestClient } from '../helpers/http.js';
import { deploy, schedule, waitFinished } from '../helpers/jobs.js';
import { startMaster, tempDir } from '../helpers/processes.js';
import { rawHandshake, type RawFrame } from '../helpers/raw-agent.js';
import { waitFor } from '../helpers/wait.js';

/** Reports twice a second, so a few seconds of crawl show progress. */
const INTERVAL: [string, string] = ['setting', 'SCRAPYARD_STATS_INTERVAL=0.5'];

async function statsOf(rest: RestClient, jobid: string) {
  return JobStatsResponse.parse(await rest.get(`/api/v1/jobs/${jobid}/stats?project=demo`));
}

async function info(rest: RestClient, jobid: string): Promise<JobInfo> {
  return (await rest.get(`/api/v1/jobs/${jobid}?project=demo`)) as unknown as JobInfo;
}

/**
 * The stats Scrapy printed at close, from the log: `'key': value` lines of the pformat'ed dict. Datetimes (naive
 * UTC on Scrapy 2.8) become epoch ms, as the extension reports them.
 */
function dumpedStats(log: string): Record<string, number | string> {
  const start = log.indexOf('Dumping Scrapy stats:');
  assert.ok(start >= 0, 'the log has Scrapy stats dump');
  const block = log.slice(start, log.indexOf('}', start) + 1);
  const out: Record<string, number | string> = {};
  for (const m of block.matchAll(/'([^']+)':\s*(datetime\.datetime\(([^)]*)\)|'[^']*'|[-0-9.e+]+)/g)) {
    const [, key, raw, dt] = m;
    if (dt !== undefined) {
      const [y, mo, d, h = 0, mi = 0, s = 0, us = 0] = dt.split(',').map((x) => Number(x.split('=').pop()!.trim()));
      out[key!] = Date.UTC(y!, mo! - 1, d!, h, mi, s) + Math.floor(us / 1000);
    } else if (raw!.startsWith("'")) {
      out[key!] = raw!.slice(1, -1);
    } else {
      out[key!] = Number(raw);
    }
  }
  return out;
}

function assertSameAsDump(reported: Record<string, unknown>, dump: Record<string, number | string>): void {
  assert.deepEqual(Object.keys(reported).sort(), Object.keys(dump).sort(), 'the same stats keys as the dump');
  for (const [key, value] of Object.entries(dump)) {
    if (key.endsWith('_time')) {
      // Epoch ms from a float timestamp: at most a millisecond of rounding apart.
      assert.ok(Math.abs(Number(reported[key]) - Number(value)) <= 1, `${key}: ${String(reported[key])} vs ${value}`);
    } else {
      assert.equal(reported[key], value, key);
    }
  }
}

/** Sends bytes to a socket as one connection; resolves when it is closed (or could not connect). */
function sendRaw(path: string, data: Buffer | string): Promise<void> {
  return new Promise((resolve) => {
    const sock = connect(path, () => sock.end(data));
    sock.on('error', () => resolve());
    sock.on('close', () => resolve());
    sock.resume();
  });
}

void test('live stats reach the API while a crawl runs and match Scrapy final stats', async (t) => {
  const master = await startMaster(t);
  const api = new ScrapydClient(master.url);
  const rest = new RestClient(master.url);
  await deploy(api);
  const jobid = await schedule(api, [['project', 'demo'], ['spider', 'slow'], ['seconds', '8'], INTERVAL]);

  // While it runs: the REST stats, JobInfo and listjobs.json all show progress.
  const live = await waitFor(
    async () => {
      const s = await statsOf(rest, jobid);
      return s.summary && !s.summary.final && s.summary.items >= 2 ? s : undefined;
    },
    { timeoutMs: 60_000, what: 'live stats with items while the crawl runs' },
  );
  assert.equal((await info(rest, jobid)).state, 'running');
  assert.equal(live.summary!.finishReason, null);
  assert.ok(live.summary!.requests >= live.summary!.items);
  assert.ok(live.summary!.logCounts.INFO > 0);
  const running = await waitFor(async () => (await info(rest, jobid)).stats?.items, {
    what: 'JobInfo stats of the running job',
  });
  assert.ok(running >= 2);
  const listed = ListJobsResponseBody.parse(await api.get('listjobs.json', { project: 'demo' }));
  const entry = listed.running.find((j) => j.id === jobid);
  assert.ok(entry?.stats && entry.stats.items >= 2, 'listjobs.json running entry has stats');
  assert.equal(entry.stats.finish_reason, null);

  // Garbage on the run's socket (anything that can reach it might send some) harms nothing.
  const socketPath = join(master.dataDir, 'agent', 'runs', live.runId, 'stats.sock');
  await sendRaw(socketPath, 'garbage');
  await sendRaw(socketPath, Buffer.alloc(700 * 1024, 0x7b));
  await sendRaw(socketPath, JSON.stringify({ v: 1, at: 1, final: true, stats: { x: {} }, exceptions: {} }));
  await waitFor(
    async () => {
      const s = await statsOf(rest, jobid);
      return s.summary!.items > live.summary!.items + 1 || s.summary!.final;
    },
    { timeoutMs: 30_000, what: 'live stats to keep coming after garbage on the socket' },
  );

  const finished = await waitFinished(api, jobid);
  assert.equal(finished.outcome, 'succeeded');
  const log = (await api.raw('GET', finished.log_url!)).text;
  const dump = dumpedStats(log);
  const final = await waitFor(
    async () => {
      const s = await statsOf(rest, jobid);
      return s.summary?.final ? s : undefined;
    },
    { what: 'the final stats' },
  );
  assertSameAsDump(final.stats!, dump);
  assert.equal(final.summary!.finishReason, 'finished');
  assert.equal(final.summary!.items, dump.item_scraped_count);
  assert.equal(final.summary!.requests, dump['downloader/request_count']);
  assert.equal(final.summary!.responses.total, dump['downloader/response_count']);
  assert.equal(final.summary!.logCounts.INFO, dump['log_count/INFO']);
  assert.equal(final.exceptions!.total, 0);
  // The series covers the run, in order, ending with the final snapshot.
  assert.ok(final.series.length >= 3, `series of ${final.series.length} points`);
  for (let i = 1; i < final.series.length; i++) {
    assert.ok(final.series[i]!.at > final.series[i - 1]!.at);
    assert.ok(final.series[i]!.items >= final.series[i - 1]!.items);
  }
  assert.equal(final.series.at(-1)!.items, dump.item_scraped_count);

  const done = await info(rest, jobid);
  assert.equal(done.stats?.finishReason, 'finished');
  assert.equal(done.stats?.items, dump.item_scraped_count);
  const after = ListJobsResponseBody.parse(await api.get('listjobs.json', { project: 'demo' }));
  const fin = after.finished.find((j) => j.id === jobid)!;
  assert.equal(fin.stats?.items, dump.item_scraped_count);
  assert.equal(fin.stats?.finish_reason, 'finished');
  assert.equal(fin.stats?.log_count.INFO, dump['log_count/INFO']);
});

void test('exceptions are captured with their tracebacks, counted by type', async (t) => {
  const master = await startMaster(t);
  const api = new ScrapydClient(master.url);
  const rest = new RestClient(master.url);
  await deploy(api);
  const jobid = await schedule(api, [['project', 'demo'], ['spider', 'fails'], INTERVAL]);
  const finished = await waitFinished(api, jobid);
  assert.equal(finished.outcome, 'succeeded'); // Scrapy exits 0 after a callback error
  const s = await waitFor(
    async () => {
      const r = await statsOf(rest, jobid);
      return r.summary?.final ? r : undefined;
    },
    { what: 'the final stats' },
  );
  const dump = dumpedStats((await api.raw('GET', finished.log_url!)).text);
  assertSameAsDump(s.stats!, dump);
  assert.equal(s.summary!.errors, 1);
  assert.deepEqual(s.exceptions!.byType, { RuntimeError: 1 });
  assert.equal(s.exceptions!.total, 1);
  const [e] = s.exceptions!.first;
  assert.equal(e!.type, 'RuntimeError');
  assert.equal(e!.message, 'FAILS_ON_PURPOSE');
  assert.match(e!.context, /Spider error processing <GET data:,fails>/);
  assert.match(e!.traceback, /^Traceback \(most recent call last\)/);
  assert.match(e!.traceback, /fails\.py", line \d+, in parse/);
  assert.equal((await info(rest, jobid)).stats?.exceptions, 1);
});

void test('a crawl whose stats socket is gone finishes normally, with final stats from its closing dump', async (t) => {
  const master = await startMaster(t);
  const api = new ScrapydClient(master.url);
  const rest = new RestClient(master.url);
  await deploy(api);
  const jobid = await schedule(api, [['project', 'demo'], ['spider', 'slow'], ['seconds', '5'], INTERVAL]);
  const live = await waitFor(
    async () => {
      const s = await statsOf(rest, jobid);
      return s.summary && !s.summary.final ? s : undefined;
    },
    { timeoutMs: 60_000, what: 'the first live stats' },
  );
  // The channel disappears mid-crawl: every later report fails to connect and is dropped by the crawl.
  rmSync(join(master.dataDir, 'agent', 'runs', live.runId, 'stats.sock'));
  const seenAtRemoval = (await statsOf(rest, jobid)).summary!.items;

  const finished = await waitFinished(api, jobid);
  assert.equal(finished.outcome, 'succeeded');
  assert.equal(finished.exit_code, 0);
  const dump = dumpedStats((await api.raw('GET', finished.log_url!)).text);
  const final = await waitFor(
    async () => {
      const s = await statsOf(rest, jobid);
      return s.summary?.final ? s : undefined;
    },
    { what: 'the final stats' },
  );
  assertSameAsDump(final.stats!, dump);
  assert.ok(
    Number(dump.item_scraped_count) > seenAtRemoval,
    `the final count (${dump.item_scraped_count}) is past what was seen live (${seenAtRemoval})`,
  );
  assert.equal(final.summary!.finishReason, 'finished');
});

/** A system user for this test only, removed when it ends (as crawl-user.test.ts makes them). */
function throwawayUser(t: TestContext): { name: string; gid: number } {
  assert.equal(process.getuid?.(), 0, 'this test creates OS users: run the suite as root (as CI does)');
  const name = `sys${randomBytes(4).toString('hex')}`;
  const made = spawnSync(
    'useradd',
    ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', '--user-group', name],
    { encoding: 'utf8' },
  );
  assert.equal(made.status, 0, `useradd failed: ${made.stderr}`);
  t.after(() => {
    spawnSync('pkill', ['-9', '-u', name]);
    spawnSync('userdel', ['-f', name]);
    spawnSync('groupdel', [name]);
  });
  return { name, gid: Number(spawnSync('id', ['-g', name], { encoding: 'utf8' }).stdout.trim()) };
}

void test('with crawl_user, the crawl reports on its run socket, which only the crawl group may write', async (t) => {
  const user = throwawayUser(t);
  const parent = tempDir(t);
  chmodSync(parent, 0o711);
  const master = await startMaster(t, {
    dataDir: join(parent, 'master'),
    env: { SCRAPYARD_CRAWL_USER: user.name },
  });
  const api = new ScrapydClient(master.url);
  const rest = new RestClient(master.url);
  await deploy(api);
  const jobid = await schedule(api, [['project', 'demo'], ['spider', 'slow'], ['seconds', '3'], INTERVAL]);
  const live = await waitFor(
    async () => {
      const s = await statsOf(rest, jobid);
      return s.summary && !s.summary.final && s.summary.items >= 1 ? s : undefined;
    },
    { timeoutMs: 60_000, what: 'live stats from a crawl running as the crawl user' },
  );
  const runDir = join(master.dataDir, 'agent', 'runs', live.runId);
  const sock = statSync(join(runDir, 'stats.sock'));
  assert.ok(sock.isSocket());
  assert.deepEqual([sock.mode & 0o777, sock.uid, sock.gid], [0o620, 0, user.gid]);
  const file = statSync(join(runDir, 'stats.json'));
  assert.deepEqual([file.mode & 0o777, file.uid, file.gid], [0o620, 0, user.gid], 'write-only for the crawl');

  const finished = await waitFinished(api, jobid);
  assert.equal(finished.outcome, 'succeeded');
  const dump = dumpedStats((await api.raw('GET', finished.log_url!)).text);
  const final = await waitFor(
    async () => {
      const s = await statsOf(rest, jobid);
      return s.summary?.final ? s : undefined;
    },
    { what: 'the final stats' },
  );
  assertSameAsDump(final.stats!, dump);
});

void test("a node's stats about another node's run are refused and stored nowhere", async (t) => {
  const { master, url, api, rest } = await startCluster(t, {
    env: { SCRAPYARD_LOST_GRACE: '120', SCRAPYARD_HEARTBEAT_TIMEOUT: '15' },
  });
  await startAgent(t, { master: { url }, nodeId: 'owner', slots: 1 });
  await deploy(api);
  const id = await schedule(api, [['project', 'demo'], ['spider', 'slow'], ['seconds', '4'], INTERVAL]);
  await waitState(api, id, 'running');
  const victim = await jobInfo(rest, id);

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
  const session = await rawHandshake(gatewayUrl(url), {
    nodeId: 'forger',
    secret: Buffer.from(String(registered.json.secret), 'hex'),
    keepOpen: true,
    hello: { known: [], running: [] },
  });
  t.after(() => session.ws.terminate());
  assert.equal(session.verdict, 'welcome');
  const send = (type: string, payload: unknown) => session.ws.send(JSON.stringify({ type, payload }));
  const forged = {
    runId: victim.runId,
    at: Date.now(),
    final: true,
    source: 'dump',
    stats: { item_scraped_count: 999_999, finish_reason: 'forged' },
    exceptions: { total: 0, byType: {}, first: [], last: [] },
  };
  send('job.stats', forged);
  send('job.stats', { ...forged, final: false });
  // Frames are handled in order: once this chunk is acknowledged, the stats before it were handled too.
  send('log.chunk', { runId: victim.runId, stream: 'log', offset: 0, data: Buffer.from('x').toString('base64') });
  await waitFor(() => session.frames.some((f: RawFrame) => f.type === 'log.ack'), {
    what: 'the master to have handled the forged frames',
    timeoutMs: 15_000,
  });
  const refusals = logRecords(master.output(), 'refused: a node named a run assigned to another node')
    .filter((r) => r.nodeId === 'forger' && r.runId === victim.runId)
    .map((r) => r.what);
  assert.ok(refusals.includes('job stats'), `refusals: ${refusals.join(', ')}`);

  const finished = await waitFinished(api, id);
  assert.equal(finished.outcome, 'succeeded');
  const dump = dumpedStats((await api.raw('GET', finished.log_url!)).text);
  const final = await waitFor(
    async () => {
      const s = await statsOf(rest, id);
      return s.summary?.final ? s : undefined;
    },
    { what: 'the owner’s final stats' },
  );
  assertSameAsDump(final.stats!, dump);
  assert.ok(!final.series.some((p) => p.items === 999_999), 'no forged point in the series');
});

void test('an agent restart loses no final stats, and a re-adopted crawl reports again', async (t) => {
  const { url, api, rest } = await startCluster(t, { env: { SCRAPYARD_LOST_GRACE: '120' } });
  const agent = await startAgent(t, { master: { url }, nodeId: 'k9', slots: 2 });
  await deploy(api);
  const short = await schedule(api, [['project', 'demo'], ['spider', 'slow'], ['seconds', '3'], INTERVAL]);
  const long = await schedule(api, [['project', 'demo'], ['spider', 'slow'], ['seconds', '14'], INTERVAL]);
  const liveOf = (id: string) =>
    waitFor(
      async () => {
        const s = await statsOf(rest, id);
        return s.summary && !s.summary.final ? s.summary : undefined;
      },
      { timeoutMs: 60_000, what: `live stats of ${id}` },
    );
  await liveOf(short);
  const longBefore = await liveOf(long);

  // The agent dies; the short crawl ends while no agent listens (its final stats exist only in its file).
  await agent.kill9();
  await waitFor(() => crawlPids(agent).length === 1, { what: 'the short crawl to end', timeoutMs: 60_000 });
  await agent.restart();

  const shortDone = await waitFinished(api, short);
  assert.equal(shortDone.outcome, 'succeeded');
  const shortFinal = await waitFor(
    async () => {
      const s = await statsOf(rest, short);
      return s.summary?.final ? s : undefined;
    },
    { what: 'the final stats of the crawl that ended while its agent was down' },
  );
  assertSameAsDump(shortFinal.stats!, dumpedStats((await api.raw('GET', shortDone.log_url!)).text));

  // The long crawl, re-adopted, reports on its re-opened socket while it still runs.
  await waitFor(
    async () => {
      const s = await statsOf(rest, long);
      return !s.summary!.final && s.summary!.items > longBefore.items + 4;
    },
    { what: 'live stats of the re-adopted crawl', timeoutMs: 30_000 },
  );
  assert.equal((await jobInfo(rest, long)).state, 'running');
  const longDone = await waitFinished(api, long);
  assert.equal(longDone.outcome, 'succeeded');
  const longFinal = await waitFor(
    async () => {
      const s = await statsOf(rest, long);
      return s.summary?.final ? s : undefined;
    },
    { what: 'the final stats of the re-adopted crawl' },
  );
  assertSameAsDump(longFinal.stats!, dumpedStats((await api.raw('GET', longDone.log_url!)).text));
});
