/**
 * A cancel the agent confirmed is not sent again when it reconnects: Scrapy treats a second SIGINT as "stop now,
 * uncleanly", so re-sending the first cancel at every reconnect would turn a graceful stop into a forced one.
 * Shown with the `stubborn` spider, which logs every signal it gets (and ignores it).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ScrapydClient } from '../helpers/clients.js';
import { startAgent } from '../helpers/agents.js';
import { nodeInfo, startCluster, waitJobFinished, waitState } from '../helpers/cluster.js';
import { deploy, schedule, waitLog } from '../helpers/jobs.js';
import { startProxy } from '../helpers/tcp-proxy.js';
import { waitFor } from '../helpers/wait.js';

const signalsIn = (log: string) => [...log.matchAll(/STUBBORN_GOT_SIGNAL (\d+)/g)].map((m) => Number(m[1]));
const ticksIn = (log: string) => [...log.matchAll(/STUBBORN_TICK (\d+)/g)].map((m) => Number(m[1]));

void test('a delivered cancel is not re-sent after a reconnect; an undelivered one is', async (t) => {
  const { master, url, api, rest } = await startCluster(t, { env: { SCRAPYARD_LOST_GRACE: '120' } });
  const proxy = await startProxy(master.port);
  t.after(() => proxy.close());
  const agent = await startAgent(t, {
    master: { url },
    masterUrl: `ws://127.0.0.1:${proxy.port}/agent/v1/ws`,
    nodeId: 'flaky',
    slots: 1,
  });
  await deploy(api);
  const id = await schedule(api, { project: 'demo', spider: 'stubborn', seconds: '120', jobid: 'stubborn-once' });
  await waitState(api, id, 'running');
  const logPath = `/logs/demo/stubborn/${id}.log`;
  await waitLog(api, logPath, /STUBBORN_IGNORING_SIGNALS/);

  // One cancel, delivered and confirmed while connected: the spider gets SIGINT (2) once.
  assert.equal(ScrapydClient.ok(await api.post('cancel.json', { project: 'demo', job: id })).prevstate, 'running');
  await waitLog(api, logPath, /STUBBORN_GOT_SIGNAL 2\n/);

  // The agent drops off and comes back.
  proxy.cut();
  await waitFor(async () => !(await nodeInfo(rest, 'flaky')).online, { what: 'the node offline', timeoutMs: 20_000 });
  proxy.restore();
  await waitFor(() => (agent.output().match(/connected to master/g) ?? []).length >= 2, {
    what: 'the agent to reconnect',
    timeoutMs: 45_000,
  });
  // Anything sent at the reconnect has reached the crawl by the time it has logged (and shipped) four more ticks.
  const ticksThen = Math.max(0, ...ticksIn((await api.raw('GET', logPath)).text));
  const log = await waitLog(api, logPath, new RegExp(`STUBBORN_TICK ${ticksThen + 4}\\n`), 45_000);
  assert.deepEqual(signalsIn(log), [2], 'the confirmed cancel was not sent again');
  assert.equal((await waitState(api, id, 'running')).id, id, 'still running: it ignores SIGINT');

  // A second cancel while it is away is kept and delivered on its return, as SIGKILL.
  proxy.cut();
  await waitFor(async () => !(await nodeInfo(rest, 'flaky')).online, { what: 'the node offline', timeoutMs: 20_000 });
  assert.equal(ScrapydClient.ok(await api.post('cancel.json', { project: 'demo', job: id })).prevstate, 'running');
  proxy.restore();
  const done = await waitJobFinished(rest, id, 'the killed crawl to be reported', 60_000);
  assert.equal(done.outcome, 'cancelled');
  assert.match(String(done.reason), /SIGKILL/);
  assert.deepEqual(signalsIn((await api.raw('GET', logPath)).text), [2], 'SIGKILL, not another SIGINT');
});
