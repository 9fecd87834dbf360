/**
 * Helpers shared by the bench scenarios (bench/run.ts, bench/cluster.ts): real masters and agents started from
 * the built packages on loopback, the Scrapyd calls the scenarios make, the `sitecustomize` start stamp and the
 * direct-spawn baseline. Every loop is bounded in count and time.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { buildEgg } from '../test/helpers/eggs.js';
import { PYTHON } from '../test/helpers/python.js';
import type { JobSpec } from '@scrapyard/protocol';
import { crawlArgs, crawlVars, runFiles } from '../packages/agent/src/runner/crawl-command.js';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RUNNER = join(ROOT, 'packages/agent/python/scrapyard_runner.py');

/** The V8 flags the master's shim runs it with (its shebang): baselines run with the same, so both sides compare. */
export const MASTER_NODE_FLAGS = readFileSync(join(ROOT, 'packages/master/bin/scrapyard-master.mjs'), 'utf8')
  .split('\n')[0]!
  .split(' ')
  .filter((a) => a.startsWith('--'));

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
export const fmt = (n: number, digits = 1) => n.toFixed(digits);

/** utime + stime of a process (or of its thread `tid`), in clock ticks (/proc/<pid>/stat fields 14 and 15). */
export function cpuTicks(pid: number, tid?: number): number {
  const stat = readFileSync(tid === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${tid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]);
}

export interface Master {
  proc: ChildProcess;
  url: string;
  dataDir: string;
  exited: Promise<void>;
  output: () => string;
}

export interface Stamp {
  pythonPath: string;
  stamps: string;
}

/** A sitecustomize that stamps the moment an interpreter starts, keyed by pid: "the crawl process started". */
export function stampDir(): Stamp {
  const dir = mkdtempSync(join(tmpdir(), 'bench-stamp-'));
  const stamps = join(dir, 'stamps');
  mkdirSync(stamps);
  writeFileSync(
    join(dir, 'sitecustomize.py'),
    `import os, time\nd = os.environ.get('BENCH_STAMPS')\nif d:\n    open(os.path.join(d, str(os.getpid())), 'w').write(repr(time.time()))\n`,
  );
  return { pythonPath: dir, stamps };
}

/** The environment that makes every interpreter a crawl runs stamp its start. */
/** The stamp's environment, and (for the daemons) leave to pass BENCH_STAMPS on to crawls, which see an allowlist. */
export const stampEnv = (stamp: Stamp) => ({
  PYTHONPATH: stamp.pythonPath,
  BENCH_STAMPS: stamp.stamps,
  SCRAPYARD_CRAWL_ENV_PASSTHROUGH: 'BENCH_STAMPS',
});

/** Child output, kept to show when something fails. */
function capture(proc: ChildProcess): () => string {
  let out = '';
  proc.stdout?.on('data', (b: Buffer) => (out = (out + b.toString()).slice(-200_000)));
  proc.stderr?.on('data', (b: Buffer) => (out = (out + b.toString()).slice(-200_000)));
  return () => out;
}

export async function startMaster(dataDir: string, env: Record<string, string>, args: string[] = []): Promise<Master> {
  // Started exactly as users start it: the linked command (its shim carries the V8 flags we ship with).
  const proc = spawn(
    join(ROOT, 'node_modules/.bin/scrapyard-master'),
    ['--port', '0', '--data-dir', dataDir, ...args],
    {
      env: { ...process.env, SCRAPYARD_PYTHON: PYTHON, SCRAPYARD_LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const output = capture(proc);
  const exited = new Promise<void>((r) =>
    proc.on('exit', (code, signal) => {
      // A master that dies on its own is a bug worth seeing: keep its output.
      if (code !== 0 && signal === null) {
        const file = `${dataDir}.master.log`;
        writeFileSync(file, output());
        console.error(`master exited with code ${code}; its output is in ${file}`);
      }
      r();
    }),
  );
  // The listening line is at info; read the port from the process's listening socket instead.
  for (let i = 0; i < 300; i++) {
    const port = listeningPort(proc.pid!);
    if (port) {
      const url = `http://127.0.0.1:${port}`;
      for (let j = 0; j < 100; j++) {
        // Up once it answers: 200, or 401 from a master with basic auth on.
        const ok = await fetch(`${url}/daemonstatus.json`).then(
          (r) => r.ok || r.status === 401,
          () => false,
        );
        if (ok) {
          if (!args.includes('--no-local-agent')) await sleep(300); // the embedded agent connects right after listen
          return { proc, url, dataDir, exited, output };
        }
        await sleep(50);
      }
    }
    await sleep(100);
  }
  proc.kill('SIGKILL');
  throw new Error(`master did not start:\n${output()}`);
}

function listeningPort(pid: number): number | null {
  try {
    const inodes = new Set(
      readdirSync(`/proc/${pid}/fd`).flatMap((fd) => {
        try {
          const m = /socket:\[(\d+)\]/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
          return m ? [m[1]!] : [];
        } catch {
          return [];
        }
      }),
    );
    for (const line of readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f[3] === '0A' && inodes.has(f[9]!)) return parseInt(f[1]!.split(':')[1]!, 16);
    }
  } catch {
    return null;
  }
  return null;
}

export const rssMb = (pid: number) =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

export async function post(url: string, path: string, form: Record<string, string>): Promise<Record<string, unknown>> {
  const r = await fetch(`${url}/${path}`, { method: 'POST', body: new URLSearchParams(form) });
  return (await r.json()) as Record<string, unknown>;
}
/** Idempotent GET, retried on a network error: ports are reused across the many masters a run starts, and a
 * pooled keep-alive socket to a stopped one can reset once. */
export async function get(url: string, path: string): Promise<Record<string, unknown>> {
  for (let attempt = 1; ; attempt++) {
    try {
      return (await (await fetch(`${url}/${path}`)).json()) as Record<string, unknown>;
    } catch (e) {
      if (attempt >= 3) throw e;
      await sleep(50);
    }
  }
}
export async function deploy(url: string, project = 'demo', egg?: Buffer): Promise<void> {
  const fd = new FormData();
  fd.append('project', project);
  fd.append('version', '1');
  fd.append('egg', new Blob([egg ?? (await buildEgg('demo'))]), `${project}.egg`);
  const r = (await (await fetch(`${url}/addversion.json`, { method: 'POST', body: fd })).json()) as Record<
    string,
    unknown
  >;
  if (r.status !== 'ok') throw new Error(`deploy failed: ${JSON.stringify(r)}`);
}
export async function waitFor(
  cond: () => Promise<boolean> | boolean,
  timeoutMs: number,
  what: string,
  intervalMs = 20,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await sleep(intervalMs);
  }
}
/** SIGTERM, then SIGKILL if it is not gone after `graceMs`; resolves once it has exited. */
export async function terminate(proc: ChildProcess, exited: Promise<unknown>, graceMs = 15_000): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  proc.kill('SIGTERM');
  const t = setTimeout(() => proc.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(t);
}
export async function stop(m: Master): Promise<void> {
  await terminate(m.proc, m.exited);
  await spawnKill(m.dataDir);
}
/** Kills the crawls started from a data dir (crawls outlive their agent by design); waits for pkill. */
export function spawnKill(dataDir: string): Promise<void> {
  return new Promise((r) => {
    const p = spawn('pkill', ['-9', '-f', `^${dataDir}/.*venvs/[^ ]*/bin/python`]);
    p.on('exit', () => r());
    p.on('error', () => r());
  });
}

let directCount = 0;
/** Directly spawn exactly what the agent would (same command builder): venv interpreter, runner, `crawl quick`. */
export function directCrawl(python: string, egg: string, env: NodeJS.ProcessEnv, cwd: string): Promise<number> {
  const runId = (++directCount).toString(16).padStart(32, '0');
  const spec: JobSpec = {
    runId,
    jobId: `direct-${directCount}`,
    project: 'demo',
    spider: 'quick',
    version: '1',
    eggDigest: '0'.repeat(64),
    eggSize: 0,
    settingsModule: null,
    requirements: [],
    settings: [],
    args: [['_job', `direct-${directCount}`]],
    log: true,
    items: true,
    feedUri: null,
    pinnedVersion: null,
  };
  const files = runFiles(cwd, runId);
  mkdirSync(files.dir, { recursive: true });
  return new Promise((resolve, reject) => {
    const p = spawn(python, [RUNNER, ...crawlArgs(spec, files, '')], {
      cwd: files.dir,
      env: { ...env, ...crawlVars(spec, egg, files) },
      stdio: 'ignore',
    });
    p.on('error', reject);
    p.on('exit', (code) => resolve(code ?? -1));
  });
}

const firstStamp = (stamp: Stamp) =>
  Math.min(...readdirSync(stamp.stamps).map((f) => Number(readFileSync(join(stamp.stamps, f), 'utf8'))));
function clearStamps(stamp: Stamp) {
  rmSync(stamp.stamps, { recursive: true, force: true });
  mkdirSync(stamp.stamps);
}

/**
 * Schedule-to-start latency against a master whose one agent keeps its state in `agentDir` and runs crawls with
 * stampEnv(stamp) in their environment: a warm-up job (builds the venv and caches the egg, as on any deployed
 * node), then `runs` × [`schedule.json` → the crawl's interpreter starts, beside the same interpreter, runner and
 * arguments spawned directly]. The demo project must be deployed. Returns every sample in ms.
 */
export async function startLatencyRuns(
  url: string,
  agentDir: string,
  stamp: Stamp,
  runs: number,
): Promise<{ ours: number[]; bare: number[] }> {
  const ours: number[] = [];
  const bare: number[] = [];
  const finished0 = Number((await get(url, 'daemonstatus.json')).finished);
  await post(url, 'schedule.json', { project: 'demo', spider: 'quick' });
  await waitFor(async () => (await get(url, 'daemonstatus.json')).finished === finished0 + 1, 60_000, 'warm-up job');
  const venvs = join(agentDir, 'venvs');
  const venv = readdirSync(venvs).find((d) => d.startsWith('demo'))!;
  const python = join(venvs, venv, 'bin', 'python');
  const eggFile = readdirSync(join(agentDir, 'eggs')).find((f) => f.endsWith('.egg'))!;
  const egg = join(agentDir, 'eggs', eggFile);
  for (let i = 0; i < runs; i++) {
    clearStamps(stamp);
    const t0 = Date.now() / 1000;
    await post(url, 'schedule.json', { project: 'demo', spider: 'quick' });
    await waitFor(() => readdirSync(stamp.stamps).length > 0, 20_000, 'crawl interpreter to start');
    ours.push((firstStamp(stamp) - t0) * 1000);
    await waitFor(async () => (await get(url, 'daemonstatus.json')).running === 0, 30_000, 'job to end');

    clearStamps(stamp);
    const work = mkdtempSync(join(tmpdir(), 'bench-direct-'));
    const b0 = Date.now() / 1000;
    const done = directCrawl(python, egg, { ...process.env, ...stampEnv(stamp) }, work);
    await waitFor(() => readdirSync(stamp.stamps).length > 0, 20_000, 'direct interpreter to start');
    bare.push((firstStamp(stamp) - b0) * 1000);
    await done;
    rmSync(work, { recursive: true, force: true });
  }
  return { ours, bare };
}

export interface LoadResult {
  '2xx': number;
  requests: { average: number };
  latency: { p99: number };
  non2xx: number;
  errors: number;
}

/** schedule.json with autocannon in its own process (16 connections; `headers`: credentials), so the load generator never shares a core's event loop with the bench. */
export function loadGenerator(url: string, seconds: number, headers: Record<string, string> = {}): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const p = spawn(
      join(ROOT, 'node_modules/.bin/autocannon'),
      [
        '--json',
        '-c',
        '16',
        '-d',
        String(seconds),
        '-m',
        'POST',
        '-H',
        'content-type=application/x-www-form-urlencoded',
        ...Object.entries(headers).flatMap(([k, v]) => ['-H', `${k}=${v}`]),
        '-b',
        'project=demo&spider=quick&arg=x',
        url,
      ],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    );
    let out = '';
    p.stdout.on('data', (b: Buffer) => (out += b.toString()));
    p.on('error', reject);
    p.on('exit', () => {
      try {
        resolve(JSON.parse(out) as LoadResult);
      } catch (e) {
        reject(new Error(`autocannon output was not JSON: ${out.slice(0, 500)} (${String(e)})`));
      }
    });
  });
}
