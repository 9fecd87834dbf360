/**
 * Scrapyard benchmarks (see bench/README.md). Prints one table of medians and ratios against baselines measured
 * in the same run. Loopback only; every loop is bounded in count and time.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { buildEgg } from '../test/helpers/eggs.js';
import { PYTHON } from '../test/helpers/python.js';
import type { JobSpec } from '@scrapyard/protocol';
import { crawlArgs, crawlEnv, runFiles } from '../packages/agent/src/runner/crawl-command.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RUNNER = join(ROOT, 'packages/agent/python/scrapyard_runner.py');
const { values: opts } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    quick: { type: 'boolean', default: false },
    /** Comma-separated subset of latency,throughput,makespan. */
    only: { type: 'string', default: 'latency,throughput,makespan' },
  },
});
const ONLY = new Set(opts.only.split(','));
const RUNS = Math.max(1, Math.min(20, Number(opts.runs)));

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const fmt = (n: number, digits = 1) => n.toFixed(digits);

interface Master {
  proc: ChildProcess;
  url: string;
  dataDir: string;
  exited: Promise<void>;
}

/** A sitecustomize that stamps the moment an interpreter starts, keyed by pid: "the crawl process started". */
function stampDir(): { pythonPath: string; stamps: string } {
  const dir = mkdtempSync(join(tmpdir(), 'bench-stamp-'));
  const stamps = join(dir, 'stamps');
  mkdirSync(stamps);
  writeFileSync(
    join(dir, 'sitecustomize.py'),
    `import os, time\nd = os.environ.get('BENCH_STAMPS')\nif d:\n    open(os.path.join(d, str(os.getpid())), 'w').write(repr(time.time()))\n`,
  );
  return { pythonPath: dir, stamps };
}

async function startMaster(dataDir: string, env: Record<string, string>): Promise<Master> {
  // Started exactly as users start it: the linked command (its shim carries the V8 flags we ship with).
  const proc = spawn(join(ROOT, 'node_modules/.bin/scrapyard-master'), ['--port', '0', '--data-dir', dataDir], {
    env: { ...process.env, SCRAPYARD_PYTHON: PYTHON, SCRAPYARD_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  proc.stderr!.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<void>((r) =>
    proc.on('exit', (code, signal) => {
      // A master that dies on its own is a bug worth seeing: keep its output.
      if (code !== 0 && signal === null) {
        const file = `${dataDir}.master.log`;
        writeFileSync(file, out);
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
        const ok = await fetch(`${url}/daemonstatus.json`).then(
          (r) => r.ok,
          () => false,
        );
        if (ok) {
          await sleep(300); // the embedded agent connects right after listen
          return { proc, url, dataDir, exited };
        }
        await sleep(50);
      }
    }
    await sleep(100);
  }
  throw new Error(`master did not start:\n${out}`);
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

const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

async function post(url: string, path: string, form: Record<string, string>): Promise<Record<string, unknown>> {
  const r = await fetch(`${url}/${path}`, { method: 'POST', body: new URLSearchParams(form) });
  return (await r.json()) as Record<string, unknown>;
}
/** Idempotent GET, retried on a network error: ports are reused across the many masters a run starts, and a
 * pooled keep-alive socket to a stopped one can reset once. */
async function get(url: string, path: string): Promise<Record<string, unknown>> {
  for (let attempt = 1; ; attempt++) {
    try {
      return (await (await fetch(`${url}/${path}`)).json()) as Record<string, unknown>;
    } catch (e) {
      if (attempt >= 3) throw e;
      await sleep(50);
    }
  }
}
async function deploy(url: string): Promise<void> {
  const fd = new FormData();
  fd.append('project', 'demo');
  fd.append('version', '1');
  fd.append('egg', new Blob([await buildEgg('demo')]), 'demo.egg');
  const r = (await (await fetch(`${url}/addversion.json`, { method: 'POST', body: fd })).json()) as Record<
    string,
    unknown
  >;
  if (r.status !== 'ok') throw new Error(`deploy failed: ${JSON.stringify(r)}`);
}
async function waitFor(cond: () => Promise<boolean>, timeoutMs: number, what: string, intervalMs = 20): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await sleep(intervalMs);
  }
}
async function stop(m: Master): Promise<void> {
  m.proc.kill('SIGTERM');
  await m.exited;
  spawnKill(m.dataDir);
}
function spawnKill(dataDir: string) {
  spawn('pkill', ['-9', '-f', `^${dataDir}/.*venvs/[^ ]*/bin/python`]);
}

let directCount = 0;
/** Directly spawn exactly what the agent would (same command builder): venv interpreter, runner, `crawl quick`. */
function directCrawl(python: string, egg: string, env: NodeJS.ProcessEnv, cwd: string): Promise<number> {
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
      env: crawlEnv(env, spec, egg, files),
      stdio: 'ignore',
    });
    p.on('error', reject);
    p.on('exit', (code) => resolve(code ?? -1));
  });
}

async function latency(stamp: { pythonPath: string; stamps: string }) {
  const ours: number[] = [];
  const bare: number[] = [];
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-lat-'));
  const env = { PYTHONPATH: stamp.pythonPath, BENCH_STAMPS: stamp.stamps };
  const m = await startMaster(dataDir, { ...env, SCRAPYARD_MAX_PROC: '4' });
  try {
    await deploy(m.url);
    const venvs = join(dataDir, 'agent', 'venvs');
    // Warm-up job: builds the venv and caches the egg, as on any deployed node.
    await post(m.url, 'schedule.json', { project: 'demo', spider: 'quick' });
    await waitFor(async () => (await get(m.url, 'daemonstatus.json')).finished === 1, 60_000, 'warm-up job');
    const python = join(venvs, readdirSync(venvs)[0]!, 'bin', 'python');
    const egg = join(dataDir, 'agent', 'eggs', readdirSync(join(dataDir, 'agent', 'eggs'))[0]!);
    for (let i = 0; i < RUNS; i++) {
      rmSync(stamp.stamps, { recursive: true, force: true });
      mkdirSync(stamp.stamps);
      const t0 = Date.now() / 1000;
      await post(m.url, 'schedule.json', { project: 'demo', spider: 'quick' });
      await waitFor(async () => readdirSync(stamp.stamps).length > 0, 20_000, 'crawl interpreter to start');
      const first = Math.min(
        ...readdirSync(stamp.stamps).map((f) => Number(readFileSync(join(stamp.stamps, f), 'utf8'))),
      );
      ours.push((first - t0) * 1000);
      await waitFor(async () => (await get(m.url, 'daemonstatus.json')).running === 0, 30_000, 'job to end');

      rmSync(stamp.stamps, { recursive: true, force: true });
      mkdirSync(stamp.stamps);
      const work = mkdtempSync(join(tmpdir(), 'bench-direct-'));
      const b0 = Date.now() / 1000;
      const done = directCrawl(python, egg, { ...process.env, ...env }, work);
      await waitFor(async () => readdirSync(stamp.stamps).length > 0, 20_000, 'direct interpreter to start');
      const bfirst = Math.min(
        ...readdirSync(stamp.stamps).map((f) => Number(readFileSync(join(stamp.stamps, f), 'utf8'))),
      );
      bare.push((bfirst - b0) * 1000);
      await done;
      rmSync(work, { recursive: true, force: true });
    }
    return { ours: median(ours), bare: median(bare) };
  } finally {
    await stop(m);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function throughput() {
  const results: { rps: number; p99: number; accepted: number; survived: number }[] = [];
  for (let i = 0; i < RUNS; i++) {
    const dataDir = mkdtempSync(join(tmpdir(), 'bench-tput-'));
    let m = await startMaster(dataDir, { SCRAPYARD_MAX_PROC: '1' });
    try {
      await deploy(m.url);
      await post(m.url, 'schedule.json', { project: 'demo', spider: 'slow', seconds: '120' });
      await waitFor(async () => (await get(m.url, 'daemonstatus.json')).running === 1, 30_000, 'blocker to run');
      const r = await loadGenerator(`${m.url}/schedule.json`, opts.quick ? 3 : 8);
      // Accepted = answered 2xx to the client. Requests still in flight at the kill may also have been stored.
      const accepted = r['2xx'];
      m.proc.kill('SIGKILL');
      await m.exited;
      spawnKill(dataDir);
      m = await startMaster(dataDir, { SCRAPYARD_MAX_PROC: '1', SCRAPYARD_LOCAL_AGENT: 'off' });
      const survived = Number((await get(m.url, 'daemonstatus.json')).pending);
      results.push({ rps: r.requests.average, p99: r.latency.p99, accepted, survived });
      if (r.non2xx > 0 || r.errors > 0) {
        throw new Error(`load run had ${r.non2xx} non-2xx answers and ${r.errors} errors`);
      }
    } finally {
      await stop(m);
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
  return {
    rps: median(results.map((r) => r.rps)),
    p99: median(results.map((r) => r.p99)),
    lost: Math.max(0, ...results.map((r) => r.accepted - r.survived)),
    accepted: median(results.map((r) => r.accepted)),
  };
}

interface LoadResult {
  '2xx': number;
  requests: { average: number };
  latency: { p99: number };
  non2xx: number;
  errors: number;
}

/** autocannon in its own process, so the load generator never shares a core's event loop with the bench. */
function loadGenerator(url: string, seconds: number): Promise<LoadResult> {
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

/** The same N crawls run directly, 4 at a time; returns the makespan in ms. */
async function directBatch(N: number, python: string, egg: string): Promise<number> {
  const work = mkdtempSync(join(tmpdir(), 'bench-direct-'));
  const d0 = Date.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (next < N) {
        next++;
        await directCrawl(python, egg, process.env, work);
      }
    }),
  );
  const took = Date.now() - d0;
  rmSync(work, { recursive: true, force: true });
  return took;
}

async function makespan(python: string, egg: string) {
  const N = opts.quick ? 12 : 50;
  const ours: number[] = [];
  const direct: number[] = [];
  const rss: number[] = [];
  const idle: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    // Alternate which side goes first, so a drift in the machine's speed doesn't favour either.
    if (i % 2 === 1) direct.push(await directBatch(N, python, egg));
    const dataDir = mkdtempSync(join(tmpdir(), 'bench-mk-'));
    const m = await startMaster(dataDir, { SCRAPYARD_MAX_PROC: '4' });
    try {
      await sleep(1000);
      idle.push(rssMb(m.proc.pid!));
      await deploy(m.url);
      await post(m.url, 'schedule.json', { project: 'demo', spider: 'quick' });
      await waitFor(async () => (await get(m.url, 'daemonstatus.json')).finished === 1, 60_000, 'warm-up');
      const t0 = Date.now();
      for (let j = 0; j < N; j++) await post(m.url, 'schedule.json', { project: 'demo', spider: 'quick' });
      // 100 ms polls: finer polling would itself load the master the direct baseline doesn't have.
      await waitFor(async () => (await get(m.url, 'daemonstatus.json')).finished === N + 1, 600_000, 'all crawls', 100);
      ours.push(Date.now() - t0);
      rss.push(rssMb(m.proc.pid!));
    } finally {
      await stop(m);
      rmSync(dataDir, { recursive: true, force: true });
    }
    if (i % 2 === 0) direct.push(await directBatch(N, python, egg));
  }
  return { N, ours: median(ours), direct: median(direct), rss: median(rss), idle: median(idle) };
}

async function main() {
  console.log(`Scrapyard benchmarks: ${RUNS} runs each, ${cpus().length} CPUs, python ${PYTHON}\n`);
  const stamp = stampDir();
  const lat = ONLY.has('latency') ? await latency(stamp) : null;
  // Keep a copy of the venv and egg for the direct baselines (the latency master's data dir is gone).
  const keep = mkdtempSync(join(tmpdir(), 'bench-keep-'));
  const venvDir = join(keep, 'venv');
  await new Promise<void>((r) =>
    spawn(PYTHON, ['-m', 'venv', '--system-site-packages', '--without-pip', venvDir]).on('exit', () => r()),
  );
  const egg = join(keep, 'demo.egg');
  writeFileSync(egg, await buildEgg('demo'));
  const tput = ONLY.has('throughput') ? await throughput() : null;
  const mk = ONLY.has('makespan') ? await makespan(join(venvDir, 'bin', 'python'), egg) : null;
  const rows: [string, string, string, string, string][] = [];
  if (lat) {
    rows.push([
      'schedule → crawl process start (ms)',
      fmt(lat.ours),
      `bare spawn ${fmt(lat.bare)}`,
      `+${fmt(lat.ours - lat.bare)} ms`,
      '≤ +25 ms',
    ]);
  }
  if (tput) {
    rows.push([
      'schedule.json throughput (req/s, 16 conns)',
      fmt(tput.rps, 0),
      '—',
      `p99 ${fmt(tput.p99)} ms`,
      '≥ 3000',
    ]);
    rows.push([
      'jobs lost after kill -9 (worst run)',
      String(tput.lost),
      `of ~${fmt(tput.accepted, 0)} accepted`,
      '',
      '0',
    ]);
  }
  if (mk) {
    rows.push([
      `makespan, ${mk.N} crawls, 4 slots (s)`,
      fmt(mk.ours / 1000, 2),
      `direct ${fmt(mk.direct / 1000, 2)}`,
      `×${fmt(mk.ours / mk.direct, 3)}`,
      '≤ ×1.10',
    ]);
    rows.push(['RSS master+agent idle (MB)', fmt(mk.idle), '—', '', '≤ 100']);
    rows.push(['RSS master+agent after runs (MB)', fmt(mk.rss), '—', '', '']);
  }
  const widths = [0, 1, 2, 3, 4].map((i) => Math.max(...rows.map((r) => r[i]!.length), 8));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(line(['metric (median)', 'ours', 'baseline', 'ratio/delta', 'target']));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of rows) console.log(line(r));
  rmSync(keep, { recursive: true, force: true });
  rmSync(stamp.pythonPath, { recursive: true, force: true });
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
