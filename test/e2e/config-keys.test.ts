/**
 * Config keys, each asserted by its effect: `max_proc_per_cpu` sizes the embedded agent, `prefix_header` names the
 * header whose value prefixes the HTML pages' links, an empty `_version` runs the latest version (D4), and the
 * node CLI finds the master at the config's bind_address and http_port, with its credentials and certificate.
 */
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { runCli } from '../helpers/agents.js';
import { ScrapydClient } from '../helpers/clients.js';
import { nodeInfo, rawJobs } from '../helpers/cluster.js';
import { buildEgg } from '../helpers/eggs.js';
import { request, RestClient } from '../helpers/http.js';
import { deploy, schedule, waitFinished, waitRunning } from '../helpers/jobs.js';
import { startMaster, tempDir } from '../helpers/processes.js';
import { copySources, FIXTURES_DIR, PYTHON, runOffline } from '../helpers/python.js';
import { makeSelfSignedCert } from '../helpers/tls.js';

function writeConf(t: TestContext, lines: string[]): string {
  const file = join(tempDir(t), 'scrapyd.conf');
  writeFileSync(file, [...lines, ''].join('\n'));
  return file;
}

void test('max_proc_per_cpu (max_proc 0): slots = CPUs × value, and that many crawls run at once, no more', async (t) => {
  const perCpu = 1;
  const conf = writeConf(t, ['[scrapyd]', 'max_proc = 0', `max_proc_per_cpu = ${perCpu}`]);
  const master = await startMaster(t, { args: ['--config', conf] });
  const api = new ScrapydClient(master.url);
  const slots = cpus().length * perCpu;
  assert.equal((await nodeInfo(new RestClient(master.url), 'local')).slots, slots);

  await deploy(api);
  const ids: string[] = [];
  for (let i = 0; i <= slots; i++) {
    ids.push(await schedule(api, { project: 'demo', spider: 'slow', seconds: '120', jobid: `slot-${i}` }));
  }
  const running = ids.slice(0, slots);
  const extra = ids[slots]!;
  for (const id of running) await waitRunning(api, id, 90_000);
  // Every slot is busy: the dispatcher's verdict on the one left over is that the agent is full.
  const jobs = await rawJobs(api);
  assert.deepEqual(jobs.running.map((j) => j.id).sort(), [...running].sort());
  assert.deepEqual(
    jobs.pending.map((j) => j.id),
    [extra],
  );
  assert.match(String(jobs.pending[0]!.pending_reason), /full/);
  // A slot that frees up goes to it at once.
  ScrapydClient.ok(await api.post('cancel.json', { project: 'demo', job: running[0]!, signal: 'KILL' }));
  await waitRunning(api, extra, 90_000);
  for (const id of ids.slice(1)) {
    ScrapydClient.ok(await api.post('cancel.json', { project: 'demo', job: id, signal: 'KILL' }));
  }
  for (const id of ids) await waitFinished(api, id);
});

void test('prefix_header: its value prefixes the HTML links; x-forwarded-prefix is then ignored; JSON never', async (t) => {
  const conf = writeConf(t, ['[scrapyd]', 'prefix_header = X-Script-Name', 'max_proc = 1']);
  const master = await startMaster(t, { args: ['--config', conf] });
  const api = new ScrapydClient(master.url);
  await deploy(api);
  const done = await waitFinished(api, await schedule(api, { project: 'demo', spider: 'quick', jobid: 'pfx' }));
  const log = '/logs/demo/quick/pfx.log';
  assert.equal(done.log_url, log);

  const home = await api.raw('GET', '/', { headers: { 'X-Script-Name': '/crawl/' } });
  assert.match(home.text, /href="\/crawl\/jobs"/);
  assert.match(home.text, /href="\/crawl\/logs\/"/);
  const jobs = await api.raw('GET', '/jobs', { headers: { 'x-script-name': '/crawl' } });
  assert.ok(jobs.text.includes(`href="/crawl${log}"`), `the job's log link is prefixed:\n${jobs.text}`);

  // The default header no longer counts.
  const forwarded = { 'x-forwarded-prefix': '/elsewhere' };
  const plainHome = await api.raw('GET', '/', { headers: forwarded });
  assert.match(plainHome.text, /href="\/jobs"/);
  assert.doesNotMatch(plainHome.text, /elsewhere/);
  const plainJobs = await api.raw('GET', '/jobs', { headers: forwarded });
  assert.ok(plainJobs.text.includes(`href="${log}"`));
  assert.doesNotMatch(plainJobs.text, /elsewhere/);

  // JSON answers carry the raw paths whatever the headers say.
  const listed = await api.raw('GET', '/listjobs.json', { headers: { 'X-Script-Name': '/crawl' } });
  const finished = listed.json.finished as { id: string; log_url: string }[];
  assert.equal(finished.find((j) => j.id === 'pfx')?.log_url, log);
  assert.doesNotMatch(listed.text, /crawl/);
});

/** The demo egg, built from a copy whose package data (logged by the quick spider) says `data`. */
async function demoEggWithData(t: TestContext, data: string): Promise<Buffer> {
  const work = tempDir(t, 'scrapyard-egg-');
  await copySources(join(FIXTURES_DIR, 'projects', 'demo'), join(work, 'src'));
  writeFileSync(join(work, 'src', 'demo', 'resources', 'data.txt'), `${data}\n`);
  await runOffline(PYTHON, ['setup.py', '-q', 'bdist_egg', '-d', join(work, 'out')], join(work, 'src'));
  const [egg] = (await readdir(join(work, 'out'))).filter((f) => f.endsWith('.egg'));
  assert.ok(egg, 'an egg was built');
  return readFile(join(work, 'out', egg));
}

void test('an empty _version runs the latest version at launch and is listed as unpinned (D4)', async (t) => {
  const master = await startMaster(t, { env: { SCRAPYARD_MAX_PROC: '1' } });
  const api = new ScrapydClient(master.url);
  ScrapydClient.ok(await api.addVersion('demo', '1', await buildEgg('demo')));
  const v2 = await demoEggWithData(t, 'demo-data-v2');
  // Hold the one slot, so both jobs wait while the next version arrives.
  const blocker = await schedule(api, { project: 'demo', spider: 'slow', seconds: '120', jobid: 'blocker' });
  await waitRunning(api, blocker);
  const latest = await schedule(api, { project: 'demo', spider: 'quick', _version: '', jobid: 'latest' });
  const pinned = await schedule(api, { project: 'demo', spider: 'quick', _version: '1', jobid: 'pinned' });
  ScrapydClient.ok(await api.addVersion('demo', '2', v2));
  const pending = (await rawJobs(api)).pending;
  assert.deepEqual(
    pending.map((j) => [j.id, j.version]),
    [
      [latest, null],
      [pinned, '1'],
    ],
    'the empty _version is listed as unpinned, the other keeps its version',
  );

  ScrapydClient.ok(await api.post('cancel.json', { project: 'demo', job: blocker, signal: 'KILL' }));
  const ran = async (id: string) => {
    const done = await waitFinished(api, id);
    assert.equal(done.outcome, 'succeeded');
    return (await api.raw('GET', done.log_url!)).text;
  };
  assert.match(await ran(latest), /QUICK_DATA demo-data-v2/, 'the unpinned job ran version 2, the latest at launch');
  assert.match(await ran(pinned), /QUICK_DATA demo-data-ok/, 'the pinned job ran version 1');
});

void test("node CLI: the master's address, port, credentials and certificate come from its config", async (t) => {
  // 127.0.0.2 is loopback too, but a master bound there is not reachable at 127.0.0.1.
  const host = '127.0.0.2';
  const auth = { username: 'admin', password: 'node-cli-secret' };
  const cert = makeSelfSignedCert(t, `IP:${host}`);
  const base = [
    '[scrapyd]',
    `bind_address = ${host}`,
    `username = ${auth.username}`,
    `password = ${auth.password}`,
    '[scrapyard]',
    `tls_cert = ${cert.certFile}`,
    `tls_key = ${cert.keyFile}`,
  ];
  const master = await startMaster(t, { args: ['--config', writeConf(t, base)] });
  const rest = new RestClient(`https://${host}:${master.port}`, { auth, caFile: cert.caFile });
  assert.equal((await nodeInfo(rest, 'local')).online, true);
  await assert.rejects(
    request(`https://127.0.0.1:${master.port}/daemonstatus.json`, { caFile: cert.caFile, timeoutMs: 5_000 }),
    /ECONNREFUSED/,
  );

  // The CLI is given only the config, with the port the master got.
  const cliConf = (password: string) =>
    writeConf(t, [
      ...base.slice(0, 1),
      `http_port = ${master.port}`,
      ...base.slice(1).map((l) => (l.startsWith('password') ? `password = ${password}` : l)),
    ]);
  const conf = cliConf(auth.password);
  const listed = await runCli('master', ['node', 'list', '--json', '--config', conf]);
  assert.equal(listed.code, 0, listed.all);
  const nodes = JSON.parse(listed.stdout) as { nodeId: string; online: boolean }[];
  assert.deepEqual(
    nodes.map((n) => [n.nodeId, n.online]),
    [['local', true]],
  );
  // The credentials are the config's: a wrong password is refused.
  const refused = await runCli('master', ['node', 'list', '--json', '--config', cliConf('wrong')]);
  assert.notEqual(refused.code, 0);
  assert.match(refused.all, /401|unauthori[sz]ed/i);
});
