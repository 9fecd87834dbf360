/**
 * The commands as install.sh puts them on PATH (scripts/install-bin.sh, here into a temporary prefix), run from a
 * directory outside the repository: relative paths are the caller's, and what `node enroll` prints for the new
 * machine runs there as printed. (SQLite only: the store is not what this checks.)
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { ROOT } from '../helpers/agents.js';
import { HERMETIC_ENV, killCrawls, tempDir } from '../helpers/processes.js';
import { PYTHON } from '../helpers/python.js';
import { waitFor } from '../helpers/wait.js';

interface Installed {
  bin: string;
  env: NodeJS.ProcessEnv;
}

function install(t: TestContext): Installed {
  const prefix = tempDir(t, 'scrapyard-prefix-');
  const r = spawnSync('bash', [join(ROOT, 'scripts/install-bin.sh'), prefix], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const bin = join(prefix, 'bin');
  const env = {
    ...process.env,
    ...HERMETIC_ENV,
    PATH: `${bin}:${process.env.PATH ?? ''}`,
    SCRAPYARD_DATABASE_URL: '',
    SCRAPYARD_PYTHON: PYTHON,
    SCRAPYARD_LOG_LEVEL: 'info',
  };
  return { bin, env };
}

/** A shell line, as a user would type it: the commands are found on PATH. */
function sh(line: string, cwd: string, env: NodeJS.ProcessEnv) {
  return spawnSync('sh', ['-c', line], { cwd, env, encoding: 'utf8', timeout: 60_000 });
}

/** A daemon started by its installed name; stopped (SIGTERM) when the test ends if it is still running. */
function daemon(t: TestContext, line: string, cwd: string, env: NodeJS.ProcessEnv) {
  // exec: the signal reaches node, not the shell.
  const proc: ChildProcess = spawn('sh', ['-c', `exec ${line}`], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  proc.stderr!.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  let done = false;
  void exited.then(() => (done = true));
  const stop = async () => {
    if (!done) proc.kill('SIGTERM');
    return exited;
  };
  t.after(stop);
  return { output: () => out, exited: () => done, stop };
}

void test('installed: both commands run from any directory, --version and --help', (t) => {
  const { bin, env } = install(t);
  for (const name of ['scrapyard-master', 'scrapyard-agent']) {
    assert.ok(lstatSync(join(bin, name)).isSymbolicLink());
  }
  // Installing again replaces the links in place.
  assert.equal(spawnSync('bash', [join(ROOT, 'scripts/install-bin.sh'), join(bin, '..')]).status, 0);
  const cwd = tempDir(t, 'scrapyard-elsewhere-');
  for (const name of ['scrapyard-master', 'scrapyard-agent']) {
    const version = sh(`${name} --version`, cwd, env);
    assert.equal(version.status, 0, version.stderr);
    assert.match(version.stdout, new RegExp(`^${name} \\d+\\.\\d+\\.\\d+\\n$`));
    const help = sh(`${name} --help`, cwd, env);
    assert.equal(help.status, 0, help.stderr);
    assert.match(help.stdout, new RegExp(`^Usage: ${name} `));
  }
});

void test("installed: a relative --data-dir is the caller's; what node enroll prints runs as printed", async (t) => {
  const { env } = install(t);
  const cwd = tempDir(t, 'scrapyard-elsewhere-');
  const master = daemon(t, 'scrapyard-master --port 0 --data-dir rel/dir --no-local-agent', cwd, env);
  const port = await waitFor(
    () => {
      if (master.exited()) throw new Error(`master exited:\n${master.output()}`);
      return /"port":(\d+)[^\n]*listening/.exec(master.output())?.[1];
    },
    { timeoutMs: 60_000, what: 'the installed master to listen' },
  );
  assert.ok(existsSync(join(cwd, 'rel', 'dir', 'admin-token')), 'the data dir is relative to the working directory');

  const enroll = sh(`scrapyard-master node enroll --data-dir rel/dir --url http://127.0.0.1:${port}`, cwd, env);
  assert.equal(enroll.status, 0, enroll.stderr);
  const printed = enroll.stdout
    .split('\n')
    .filter((l) => /^ {2}scrapyard-agent\b/.test(l))
    .map((l) => l.trim());
  assert.equal(printed.length, 2, enroll.stdout);
  const [registerLine, runLine] = printed as [string, string];

  const machine = tempDir(t, 'scrapyard-crawler-');
  mkdirSync(machine, { recursive: true });
  const register = sh(registerLine, machine, env);
  assert.equal(register.status, 0, register.stderr);
  assert.ok(existsSync(join(machine, 'scrapyard-agent-data', 'node-credential.json')));
  t.after(() => killCrawls(machine));
  const agent = daemon(t, runLine, machine, env);
  await waitFor(
    () => {
      if (agent.exited()) throw new Error(`agent exited:\n${agent.output()}`);
      return /connected to master/.test(agent.output());
    },
    { timeoutMs: 60_000, what: 'the agent enroll told us to run to connect' },
  );
  assert.equal(await agent.stop(), 0, agent.output());
  assert.equal(await master.stop(), 0, master.output());
});
