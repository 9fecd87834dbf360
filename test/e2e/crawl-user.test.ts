/**
 * `crawlUser`: an agent running as root starts crawls as an unprivileged user (a throwaway one made here with
 * useradd and removed after). A spider running as that user reports what it can reach: the agent's credential, its
 * database, the run directory listing and another running crawl's log, items and output are all denied, while the
 * crawl itself writes its log and items (shipped to the master) and exits normally. An agent not running as root,
 * or naming a user that doesn't exist, refuses the setting at start-up.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { cliCommand, queryAgentDb, ROOT, runCli, startAgent } from '../helpers/agents.js';
import { startCluster } from '../helpers/cluster.js';
import { deploy, schedule, waitFinished, waitLog, waitRunning } from '../helpers/jobs.js';
import { ScrapydClient } from '../helpers/clients.js';
import { throwawayUser, traversableDir } from '../helpers/os-users.js';
import { startMaster } from '../helpers/processes.js';
import { PYTHON } from '../helpers/python.js';

void test('crawls run as crawlUser and cannot read the agent’s secrets or other runs’ files', async (t) => {
  const user = throwawayUser(t);
  const dataDir = join(traversableDir(t), 'agent');
  const cluster = await startCluster(t);
  const agent = await startAgent(t, { master: cluster.master, dataDir, slots: 2, config: { crawlUser: user.name } });
  await deploy(cluster.api);

  // Another crawl is running (its files exist): the one under test must not read them.
  const other = await schedule(cluster.api, { project: 'demo', spider: 'slow', seconds: '60' });
  await waitRunning(cluster.api, other);
  const otherRun = queryAgentDb(agent, 'SELECT run_id, spec FROM runs').find(
    (r) => (JSON.parse(String(r.spec)) as { jobId: string }).jobId === other,
  );
  assert.ok(otherRun, 'the running crawl is in the agent database');
  const otherDir = join(dataDir, 'runs', String(otherRun.run_id));
  await waitLog(cluster.api, `/logs/demo/slow/${other}.log`, /SLOW_TICK/);

  const probes: Record<string, string> = {
    credential: join(dataDir, 'node-credential.json'),
    database: join(dataDir, 'agent.sqlite'),
    databaseWal: join(dataDir, 'agent.sqlite-wal'),
    dataDirListing: dataDir,
    runsListing: join(dataDir, 'runs'),
    otherRunListing: otherDir,
    otherLog: join(otherDir, 'job.log'),
    otherItems: join(otherDir, 'items.jl'),
    otherOutput: join(otherDir, 'output.txt'),
    agentEnviron: `/proc/${agent.proc.pid}/environ`,
  };
  const jobid = await schedule(cluster.api, {
    project: 'demo',
    spider: 'envdump',
    probe: Object.values(probes).join(','),
  });
  const done = await waitFinished(cluster.api, jobid);
  assert.equal(done.outcome, 'succeeded', 'the crawl ran and exited normally as the crawl user');
  const items = (await cluster.api.raw('GET', `/items/demo/envdump/${jobid}.jl`)).text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  const who = items[0] as { uid: number; gid: number; env: Record<string, string> };
  assert.deepEqual({ uid: who.uid, gid: who.gid }, { uid: user.uid, gid: user.gid });
  assert.equal(who.env.USER, user.name);
  const results = Object.fromEntries(items.slice(1).map((i) => [String(i.probe), String(i.result)]));
  for (const [what, path] of Object.entries(probes)) {
    assert.ok(['denied', 'missing'].includes(results[path] ?? ''), `${what} (${path}): ${results[path]}`);
  }
  // The files that exist were really there and refused (not just absent).
  for (const what of ['credential', 'database', 'runsListing', 'otherLog', 'otherOutput', 'agentEnviron']) {
    assert.equal(results[probes[what]!], 'denied', what);
  }
  // Its own log reached the master: the crawl could write the file it can't read.
  await waitLog(cluster.api, `/logs/demo/envdump/${jobid}.log`, /Spider closed \(finished\)/);
  const cancelled = await cluster.api.post('cancel.json', { project: 'demo', job: other });
  assert.equal(cancelled.status, 'ok');
});

void test('standalone crawl_user: the embedded agent’s crawls cannot read the master’s files either', async (t) => {
  const user = throwawayUser(t);
  const dataDir = join(traversableDir(t), 'master');
  // SQLite whatever the run's store: the master's database file is one of the things probed.
  const master = await startMaster(t, { dataDir, database: '', env: { SCRAPYARD_CRAWL_USER: user.name } });
  const api = new ScrapydClient(master.url);
  await deploy(api);
  const probes: Record<string, string> = {
    masterDatabase: join(dataDir, 'master.sqlite'),
    dataDirListing: dataDir,
    eggs: join(dataDir, 'eggs'),
    logs: join(dataDir, 'logs'),
    items: join(dataDir, 'items'),
    agentDatabase: join(dataDir, 'agent', 'agent.sqlite'),
    masterEnviron: `/proc/${master.proc.pid}/environ`,
  };
  const jobid = await schedule(api, { project: 'demo', spider: 'envdump', probe: Object.values(probes).join(',') });
  const done = await waitFinished(api, jobid);
  assert.equal(done.outcome, 'succeeded');
  const items = (await api.raw('GET', `/items/demo/envdump/${jobid}.jl`)).text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.equal((items[0] as { uid: number }).uid, user.uid);
  const results = Object.fromEntries(items.slice(1).map((i) => [String(i.probe), String(i.result)]));
  for (const [what, path] of Object.entries(probes)) assert.equal(results[path], 'denied', `${what} (${path})`);
});

void test('crawlUser is refused at start-up by an agent that is not root, and for an unknown user', async (t) => {
  const user = throwawayUser(t);
  const home = join(traversableDir(t), 'home');
  mkdirSync(home);
  chownSync(home, user.uid, user.gid);
  const secretFile = join(home, 'secret');
  writeFileSync(secretFile, 's'.repeat(40));
  const config = (extra: Record<string, unknown>) => {
    const file = join(home, `agent-${randomBytes(3).toString('hex')}.json`);
    writeFileSync(
      file,
      JSON.stringify({
        masterUrl: 'ws://127.0.0.1:9',
        dataDir: join(home, 'data'),
        nodeId: 'n1',
        temporarySecretFile: secretFile,
        python: PYTHON,
        ...extra,
      }),
    );
    for (const f of [file, secretFile]) chownSync(f, user.uid, user.gid);
    return file;
  };

  const [node, argv] = cliCommand('agent', ['--config', config({ crawlUser: user.name })]);
  const asUser = spawnSync(node, argv, { cwd: ROOT, uid: user.uid, gid: user.gid, encoding: 'utf8', timeout: 60_000 });
  assert.equal(asUser.status, 2, asUser.stderr);
  assert.match(asUser.stderr, /crawlUser ".+" needs the agent to run as root/);
  // The standalone master says the same at start-up, as a configuration error.
  const [mnode, margv] = cliCommand('master', ['--port', '0', '--data-dir', join(home, 'master')]);
  const masterAsUser = spawnSync(mnode, margv, {
    cwd: ROOT,
    uid: user.uid,
    gid: user.gid,
    env: { ...process.env, SCRAPYARD_CRAWL_USER: user.name, SCRAPYARD_CONFIG_SEARCH: '' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(masterAsUser.status, 2, masterAsUser.stderr);
  assert.match(masterAsUser.stderr, /crawl_user ".+" needs the master to run as root/);

  const unknown = await runCli('agent', ['--config', config({ crawlUser: 'no-such-user-sy' })]);
  assert.equal(unknown.code, 2, unknown.all);
  assert.match(unknown.stderr, /crawlUser "no-such-user-sy": no such user/);
});
