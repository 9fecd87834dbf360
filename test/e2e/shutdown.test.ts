/**
 * Stopping a standalone master: SIGTERM exits 0 and leaves a running crawl running in its own session; the next
 * start on the same data dir re-adopts it (same pid) and ships its whole log. A second signal while the first
 * stop is still under way exits at once with 130.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { ScrapydClient } from '../helpers/clients.js';
import { assertCompleteSlowLog } from '../helpers/cluster.js';
import { deploy, listJobs, schedule, waitFinished, waitLog, waitRunning } from '../helpers/jobs.js';
import { crawlPidsIn, startMaster, tempDir } from '../helpers/processes.js';
import { waitFor } from '../helpers/wait.js';

/** The session id of a process (ps), or null when it is gone. */
function sessionOf(pid: number): number | null {
  const r = spawnSync('ps', ['-o', 'sid=', '-p', String(pid)], { encoding: 'utf8' });
  const sid = Number(r.stdout.trim());
  return r.status === 0 && Number.isInteger(sid) && sid > 0 ? sid : null;
}

void test('SIGTERM leaves the crawl running; the restarted master re-adopts it', async (t) => {
  const dataDir = tempDir(t);
  const env = { SCRAPYARD_MAX_PROC: '1' };
  const first = await startMaster(t, { dataDir, env });
  let api = new ScrapydClient(first.url);
  await deploy(api);
  const seconds = 25;
  const id = await schedule(api, { project: 'demo', spider: 'slow', seconds: String(seconds), jobid: 'survivor' });
  const { pid } = await waitRunning(api, id);
  assert.ok(pid !== null);
  await waitLog(api, `/logs/demo/slow/${id}.log`, /SLOW_TICK 2\b/);
  assert.deepEqual(crawlPidsIn(dataDir), [pid], 'the crawl runs a venv interpreter from the data dir');
  const sid = sessionOf(pid);
  assert.notEqual(sid, null);
  assert.notEqual(sid, sessionOf(first.proc.pid!), 'the crawl has a session of its own');

  assert.equal(await first.stop(), 0, 'SIGTERM stops the master cleanly');
  assert.match(first.output(), /"msg":"stopping"/);
  assert.deepEqual(crawlPidsIn(dataDir), [pid], 'the crawl outlived the master');

  const second = await startMaster(t, { dataDir, env });
  api = new ScrapydClient(second.url);
  const running = (await listJobs(api)).running.find((j) => j.id === id);
  assert.ok(running, `the crawl is running right after the restart: ${JSON.stringify(await listJobs(api))}`);
  assert.equal(running.pid, pid, 're-adopted: the same process, not a new run');

  const done = await waitFinished(api, id);
  assert.equal(done.outcome, 'succeeded', 'its exit status was read from the exit file');
  assertCompleteSlowLog((await api.raw('GET', `/logs/demo/slow/${id}.log`)).text, seconds);
});

/** The JSON log lines of a master's output (anything else, e.g. a stack trace, is left out). */
function logLines(out: string): { level?: number; msg?: string }[] {
  return out.split('\n').flatMap((line) => {
    try {
      const v = JSON.parse(line) as unknown;
      return typeof v === 'object' && v !== null ? [v as { level?: number; msg?: string }] : [];
    } catch {
      return [];
    }
  });
}

/** Signals pending for the whole process (/proc/<pid>/status ShdPnd), as a bit mask (bit n-1 = signal n). */
function pendingSignals(pid: number): bigint {
  const m = /^ShdPnd:\s*([0-9a-f]+)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  assert.ok(m, `no ShdPnd line for ${pid}`);
  return BigInt(`0x${m[1]}`);
}

/** The process state letter (/proc/<pid>/stat): T when stopped. */
function processState(pid: number): string {
  return /^\d+ \(.*\) (\S)/.exec(readFileSync(`/proc/${pid}/stat`, 'utf8'))?.[1] ?? '?';
}

void test('a second signal while the first stop is under way exits at once (130)', async (t) => {
  const master = await startMaster(t);
  const pid = master.proc.pid!;
  // Nothing the master waits for can hold its stop (Fastify's close destroys in-flight requests), and a clean
  // stop takes milliseconds. So the two signals are made to arrive together: the master is frozen, both are
  // queued, then it resumes. The first starts the stop, and the second is already there before the stop
  // can take a single step: provably under way, not finished.
  const exited = new Promise<number | null>((resolve) => master.proc.once('exit', (code) => resolve(code)));
  process.kill(pid, 'SIGSTOP');
  try {
    await waitFor(() => processState(pid) === 'T', { what: 'the master to be stopped (SIGSTOP)' });
    process.kill(pid, 'SIGTERM');
    process.kill(pid, 'SIGINT');
    const both = (1n << 14n) | (1n << 1n); // SIGTERM (15) and SIGINT (2)
    await waitFor(() => (pendingSignals(pid) & both) === both, { what: 'SIGTERM and SIGINT to be pending' });
  } finally {
    // Never leave it frozen: the cleanup's SIGTERM would wait for it forever.
    process.kill(pid, 'SIGCONT');
  }

  assert.equal(await exited, 130, `a second signal exits at once with 130:\n${master.output().slice(-2000)}`);
  // Each line is there; their order is not (the logger doesn't promise one between a stop's lines and a signal's).
  const out = master.output();
  const lines = logLines(out);
  assert.ok(
    lines.some((l) => l.msg === 'stopping'),
    `the first signal started a stop:\n${out.slice(-2000)}`,
  );
  assert.ok(
    lines.some((l) => l.msg === 'second signal: exiting now' && l.level === 40),
    `the second signal came during that stop and said so (at warn):\n${out.slice(-2000)}`,
  );
  // It exited on purpose without a clean stop: tell the helper not to expect exit 0 (the process is gone).
  await master.kill9();
});
