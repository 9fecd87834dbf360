/**
 * Ctrl-C under `pnpm exec` delivers two signals: SIGINT from the terminal to the process group, and SIGTERM that
 * pnpm forwards. Both daemons count signals within 2 s of the first as that one stop: a clean exit 0 with nothing
 * logged at warn level or above. (A signal after the window still forces an exit: stop-signals.test.ts in the
 * protocol package, whose clock a test can move; here a clean stop takes milliseconds, so no second signal could
 * come after the window.)
 *
 * The two signals are made to arrive together whatever the machine's load: the daemon is frozen (SIGSTOP), SIGINT
 * and SIGTERM are queued, and it resumes; both are then handled during the stop the first one started.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { spawn, type ChildProcess } from 'node:child_process';
import { cliCommand, startAgent } from '../helpers/agents.js';
import { ScrapydClient } from '../helpers/clients.js';
import { startCluster } from '../helpers/cluster.js';
import { deploy } from '../helpers/jobs.js';
import { HERMETIC_ENV, startMaster, tempDir } from '../helpers/processes.js';
import { PYTHON } from '../helpers/python.js';
import { waitFor } from '../helpers/wait.js';

/** Signals pending for the whole process (/proc/<pid>/status ShdPnd), as a bit mask (bit n-1 = signal n). */
function pendingSignals(pid: number): bigint {
  const m = /^ShdPnd:\s*([0-9a-f]+)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  assert.ok(m, `no ShdPnd line for ${pid}`);
  return BigInt(`0x${m[1]}`);
}

/**
 * SIGINT and SIGTERM delivered together (as Ctrl-C under pnpm exec does, at worst); resolves with the exit code.
 * `whileFrozen` runs while the daemon is stopped: what it makes the other side send waits in the socket.
 */
async function ctrlCUnderPnpm(proc: ChildProcess, whileFrozen?: () => Promise<void>): Promise<number | null> {
  const pid = proc.pid!;
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  process.kill(pid, 'SIGSTOP');
  try {
    await waitFor(() => /^\d+ \(.*\) T/.test(readFileSync(`/proc/${pid}/stat`, 'utf8')), { what: 'SIGSTOP' });
    await whileFrozen?.();
    process.kill(pid, 'SIGINT');
    process.kill(pid, 'SIGTERM');
    const both = (1n << 14n) | (1n << 1n); // SIGTERM (15) and SIGINT (2)
    await waitFor(() => (pendingSignals(pid) & both) === both, { what: 'SIGINT and SIGTERM to be pending' });
  } finally {
    process.kill(pid, 'SIGCONT'); // never leave it frozen: the cleanup's SIGTERM would wait forever
  }
  return exited;
}

/** JSON log lines at warn (40) or above. */
function warnings(output: string): string[] {
  return output.split('\n').filter((l) => /^\{.*"level":(4|5|6)\d\b/.test(l));
}

void test('master: SIGINT and a forwarded SIGTERM are one clean stop', async (t) => {
  const master = await startMaster(t);
  const code = await ctrlCUnderPnpm(master.proc);
  const out = master.output();
  assert.equal(code, 0, `a clean stop:\n${out.slice(-2000)}`);
  assert.match(out, /"msg":"stopping"/);
  assert.deepEqual(warnings(out), [], 'nothing at warn level or above');
});

void test('master: a SIGTERM the moment it listens (its embedded agent still starting) is a clean stop', async (t) => {
  const [file, args] = cliCommand('master', ['--port', '0', '--data-dir', tempDir(t)]);
  const proc = spawn(file, args, {
    env: { ...process.env, ...HERMETIC_ENV, SCRAPYARD_PYTHON: PYTHON, SCRAPYARD_DATABASE_URL: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.after(() => proc.kill('SIGKILL'));
  let out = '';
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  const onData = (b: Buffer) => {
    out += b.toString();
    // Sent from the data handler itself: no polling delay lets the start-up finish first.
    if (/"msg":"[^"]*listening/.test(out) && proc.signalCode === null && !proc.killed) proc.kill('SIGTERM');
  };
  proc.stdout.on('data', onData);
  proc.stderr.on('data', onData);
  assert.equal(await exited, 0, `a clean stop:\n${out.slice(-2000)}`);
  assert.deepEqual(warnings(out), [], 'nothing at warn level or above');
});

void test('agent: SIGINT and a forwarded SIGTERM are one clean stop', async (t) => {
  const cluster = await startCluster(t);
  const agent = await startAgent(t, { master: cluster.master });
  await deploy(cluster.api);
  // Deleting the project makes the master send the live egg set: frames that arrive as the agent stops must not
  // reach its closed store.
  const code = await ctrlCUnderPnpm(agent.proc, async () => {
    ScrapydClient.ok(await cluster.api.post('delproject.json', { project: 'demo' }));
  });
  const out = agent.currentOutput();
  assert.equal(code, 0, `a clean stop:\n${out.slice(-2000)}`);
  assert.match(out, /"msg":"stopping \(running crawls keep running\)"/);
  assert.deepEqual(warnings(out), [], 'nothing at warn level or above');
});
