/**
 * `scrapyard-agent register` as the systemd docs run it: into a state dir that does not exist yet (created 0700,
 * owned by `--owner` when run as root), and without burning the token on a local failure: a data dir that can't be
 * made fails before the master is asked (the token then still registers), and a credential the agent can't save
 * after the master accepted can be saved by running the same command again; once the node has connected, the
 * token is spent for good.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { enroll, gatewayUrl, runCli, startAgent } from '../helpers/agents.js';
import { startCluster } from '../helpers/cluster.js';
import { tempDir } from '../helpers/processes.js';
import { throwawayUser } from '../helpers/os-users.js';

function agentConfig(t: TestContext, masterUrl: string, dataDir: string): string {
  const file = join(tempDir(t), 'agent.json');
  writeFileSync(file, JSON.stringify({ masterUrl: gatewayUrl(masterUrl), dataDir }));
  return file;
}

void test('register creates its missing state dir: mode 0700, owned by --owner', async (t) => {
  const { master } = await startCluster(t);
  const user = throwawayUser(t);
  const dataDir = join(tempDir(t), 'var', 'lib', 'scrapyard-agent');
  const config = agentConfig(t, master.url, dataDir);
  const { token } = await enroll(master.url);
  const r = await runCli('agent', [
    'register',
    '--config',
    config,
    '--token',
    token,
    '--node-id',
    'fresh',
    '--owner',
    user.name,
  ]);
  assert.equal(r.code, 0, r.all);
  const dir = statSync(dataDir);
  assert.equal(dir.mode & 0o777, 0o700);
  assert.deepEqual([dir.uid, dir.gid], [user.uid, user.gid], 'the service user owns the state dir');
  const cred = statSync(join(dataDir, 'node-credential.json'));
  assert.equal(cred.mode & 0o777, 0o600);
  assert.equal(cred.uid, user.uid);
  assert.equal(statSync(join(dataDir, '..')).uid, user.uid, 'and the parents register made');
});

void test('a failed registration is retried with the same token; a connected node spends it', async (t) => {
  const { master } = await startCluster(t);
  const { token } = await enroll(master.url);

  // A data dir that can't be made: refused before the master is asked, so the token still works afterwards.
  const blocker = join(tempDir(t), 'not-a-dir');
  writeFileSync(blocker, '');
  const early = await runCli('agent', [
    'register',
    '--config',
    agentConfig(t, master.url, join(blocker, 'data')),
    '--token',
    token,
  ]);
  assert.equal(early.code, 1);
  assert.match(early.stderr, /nothing was sent to the master and the token is still unused/);

  // The master accepts, but the credential can't be saved (a directory where the file goes).
  const dataDir = join(tempDir(t), 'data');
  const config = agentConfig(t, master.url, dataDir);
  const argv = ['register', '--config', config, '--token', token, '--node-id', 'retried'];
  mkdirSync(join(dataDir, 'node-credential.json', 'in-the-way'), { recursive: true });
  const failed = await runCli('agent', argv);
  assert.equal(failed.code, 1, failed.all);
  assert.match(failed.stderr, /registered node retried, but its credential could not be saved/);
  assert.match(
    failed.stderr,
    /run the same command again with the same --token and --node-id retried within 10 minutes/,
  );

  rmSync(join(dataDir, 'node-credential.json'), { recursive: true });
  const retried = await runCli('agent', argv);
  assert.equal(retried.code, 0, retried.all);
  assert.equal(
    (JSON.parse(readFileSync(join(dataDir, 'node-credential.json'), 'utf8')) as { nodeId: string }).nodeId,
    'retried',
  );

  // The saved secret is the valid one: the agent connects with it. After that the token is spent.
  await startAgent(t, { master, dataDir });
  const late = await runCli('agent', argv);
  assert.equal(late.code, 1);
  assert.match(late.stderr, /ENROLLMENT_USED/);
});
