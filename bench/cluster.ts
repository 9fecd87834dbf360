/**
 * Cluster scenarios of the benchmarks (see bench/README.md), run from bench/run.ts:
 *
 * - agents10k: a master (no local agent, temporary nodes on) holding N simulated agents (bench/sim-agents.ts, its
 *   own process) that heartbeat with host metrics every 5 s; the master's CPU and RSS over a steady window, beside
 *   a bare `ws` server (bench/ws-baseline.mjs) holding the same connections and traffic.
 * - remote-start: schedule → crawl interpreter start on ONE enrolled remote agent, beside the bare spawn (the same
 *   method as the local latency scenario: lib.ts startLatencyRuns).
 * - logship: one remote agent ships a log file a spider floods (bench/fixtures/flood); MB/s measured on the
 *   master's copy, beside the rate Python wrote it locally.
 *
 * Every process a scenario starts (masters, agents, crawls, simulators) is stopped and every temp dir removed,
 * whatever happens; everything binds to 127.0.0.1; every wait is bounded.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { AGENT_WS_PATH } from '@scrapyard/protocol';
import { copySources, PYTHON, runOffline } from '../test/helpers/python.js';
import {
  ROOT,
  deploy,
  get,
  MASTER_NODE_FLAGS,
  median,
  post,
  spawnKill,
  startLatencyRuns,
  startMaster,
  stampEnv,
  stop,
  terminate,
  waitFor,
  type Master,
  type Stamp,
  cpuTicks,
} from './lib.js';

export const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

const rssMbOf = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

/** A child process whose stdout is JSON lines; `next(pred)` waits for the first line matching `pred`. */
export interface JsonChild {
  proc: ChildProcess;
  exited: Promise<void>;
  last: (type: string) => Record<string, unknown> | undefined;
  next: (type: string, timeoutMs: number) => Promise<Record<string, unknown>>;
  stderr: () => string;
}
export function jsonChild(file: string, args: string[], env: NodeJS.ProcessEnv = process.env): JsonChild {
  // stdin stays open as a lifeline: the child exits when it closes (we die), and we SIGTERM it when done.
  const proc = spawn(file, args, { cwd: ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
  const lastOf = new Map<string, Record<string, unknown>>();
  const waiters: { type: string; resolve: (v: Record<string, unknown>) => void }[] = [];
  let err = '';
  proc.stderr!.on('data', (b: Buffer) => (err = (err + b.toString()).slice(-20_000)));
  createInterface({ input: proc.stdout! }).on('line', (line) => {
    let msg: Record<string, unknown>;
    try {
      msg = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return;
    }
    const type = String(msg.type ?? 'line');
    lastOf.set(type, msg);
    for (const w of waiters.filter((x) => x.type === type)) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve(msg);
    }
  });
  const exited = new Promise<void>((r) => proc.on('exit', () => r()));
  return {
    proc,
    exited,
    stderr: () => err,
    last: (type) => lastOf.get(type),
    next: (type, timeoutMs) =>
      new Promise((resolve, reject) => {
        const t = setTimeout(
          () => reject(new Error(`timed out waiting for ${type} from ${args.join(' ')}:\n${err}`)),
          timeoutMs,
        );
        void exited.then(() => {
          clearTimeout(t);
          reject(new Error(`${args.join(' ')} exited before ${type}:\n${err}`));
        });
        waiters.push({
          type,
          resolve: (v) => {
            clearTimeout(t);
            resolve(v);
          },
        });
      }),
  };
}
export async function stopChild(c: JsonChild): Promise<void> {
  c.proc.stdin?.end();
  await terminate(c.proc, c.exited, 10_000);
}

// ---------------------------------------------------------------------------------------------------------------
// agents10k

export interface AgentsSample {
  /** Server CPU over the window, percent of one core. */
  cpu: number;
  /** Server RSS, the highest 1 s sample of the window, MB. */
  rss: number;
  /** Server RSS at the start and at the end of the window, MB: growth under steady heartbeats shows here. */
  rssStart: number;
  rssEnd: number;
  /** First connect → last welcome, ms. */
  connectMs: number;
  /** Heartbeats per second the simulator actually sent during the window. */
  hbRate: number;
  /** Simulator CPU over the window (it shares the machine), percent of one core. */
  simCpu: number;
  /** Connections open at the end of the window. */
  open: number;
}

/** One run against one server: N simulated agents connect, settle for one interval, then a steady window. */
async function agentsRun(kind: 'master' | 'bare', n: number, windowS: number): Promise<AgentsSample> {
  const secret = randomBytes(24).toString('hex'); // 48 characters, ≥ 32 as the master requires
  let master: Master | undefined;
  let bare: JsonChild | undefined;
  let sim: JsonChild | undefined;
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-a10k-'));
  try {
    let pid: number;
    let port: number;
    if (kind === 'master') {
      master = await startMaster(
        dataDir,
        // The simulator opens up to 500 handshakes at once (a fleet reconnecting after a master restart).
        {
          SCRAPYARD_TEMPORARY_NODES: 'on',
          SCRAPYARD_TEMPORARY_NODE_SECRET: secret,
          SCRAPYARD_MAX_PENDING_HANDSHAKES: '500',
          // Every simulated agent dials from 127.0.0.1.
          SCRAPYARD_MAX_CONNECTIONS_PER_IP: '0',
        },
        ['--no-local-agent'],
      );
      pid = master.proc.pid!;
      port = Number(new URL(master.url).port);
    } else {
      // The same V8 flags as the shipped master's shim, so both sides run the same runtime configuration.
      bare = jsonChild(process.execPath, [...MASTER_NODE_FLAGS, join(ROOT, 'bench/ws-baseline.mjs')], {
        ...process.env,
        BENCH_TEMPORARY_SECRET: secret,
      });
      port = Number((await bare.next('line', 10_000)).port);
      pid = bare.proc.pid!;
    }
    sim = jsonChild(
      process.execPath,
      [
        '--conditions=@scrapyard/source',
        '--import',
        'tsx',
        join(ROOT, 'bench/sim-agents.ts'),
        '--url',
        `ws://127.0.0.1:${port}${AGENT_WS_PATH}`,
        '--agents',
        String(n),
        '--concurrency',
        '500',
        '--interval-ms',
        '5000',
      ],
      { ...process.env, BENCH_TEMPORARY_SECRET: secret },
    );
    const connected = await sim.next('connected', Math.max(120_000, n * 30));
    if (Number(connected.connected) !== n) {
      throw new Error(
        `${kind}: only ${String(connected.connected)} of ${n} simulated agents got in: ${JSON.stringify(connected)}` +
          (master ? `\nmaster output (tail):\n${master.output().slice(-3000)}` : ''),
      );
    }
    // Settle for one heartbeat interval: every agent has sent its first heartbeat and the ramp's garbage is gone.
    await sleep(5_000);
    const simPid = sim.proc.pid!;
    const hb0 = Number(sim.last('stats')?.heartbeats ?? 0);
    const c0 = cpuTicks(pid);
    const s0 = cpuTicks(simPid);
    const t0 = performance.now();
    const rssStart = rssMbOf(pid);
    let rss = rssStart;
    while (performance.now() - t0 < windowS * 1000) {
      rss = Math.max(rss, rssMbOf(pid));
      await sleep(1_000);
    }
    const seconds = (performance.now() - t0) / 1000;
    const cpu = ((cpuTicks(pid) - c0) / CLK_TCK / seconds) * 100;
    const simCpu = ((cpuTicks(simPid) - s0) / CLK_TCK / seconds) * 100;
    const rssEnd = rssMbOf(pid);
    rss = Math.max(rss, rssEnd);
    const stats = sim.last('stats') ?? {};
    if (master) {
      // The heartbeats did what they are for: the master kept their host metrics (flushed within a second).
      await sleep(1_500);
      const { samples } = (await get(master.url, `api/v1/nodes/sim-${n - 1}/metrics`)) as { samples?: unknown[] };
      if (!samples || samples.length === 0) {
        console.warn(`agents10k: the master stored no host metrics for sim-${n - 1} after ${windowS + 5} s`);
      }
    }
    return {
      cpu,
      rss,
      rssStart,
      rssEnd,
      connectMs: Number(connected.connectMs),
      hbRate: (Number(stats.heartbeats ?? 0) - hb0) / seconds,
      simCpu,
      open: Number(stats.open ?? 0),
    };
  } finally {
    if (sim) await stopChild(sim);
    if (bare) await stopChild(bare);
    if (master) await stop(master);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function agents10k(opts: { runs: number; agents: number; windowS: number }) {
  const ours: AgentsSample[] = [];
  const bare: AgentsSample[] = [];
  for (let i = 0; i < opts.runs; i++) {
    // Alternate which side goes first, so a drift in the machine's speed doesn't favour either.
    if (i % 2 === 1) bare.push(await agentsRun('bare', opts.agents, opts.windowS));
    ours.push(await agentsRun('master', opts.agents, opts.windowS));
    if (i % 2 === 0) bare.push(await agentsRun('bare', opts.agents, opts.windowS));
  }
  const med = (xs: AgentsSample[], k: keyof AgentsSample) => median(xs.map((x) => x[k]));
  const summary = (xs: AgentsSample[]) => ({
    cpu: med(xs, 'cpu'),
    rss: med(xs, 'rss'),
    rssStart: med(xs, 'rssStart'),
    rssEnd: med(xs, 'rssEnd'),
    connectMs: med(xs, 'connectMs'),
    hbRate: med(xs, 'hbRate'),
    simCpu: med(xs, 'simCpu'),
    minOpen: Math.min(...xs.map((x) => x.open)),
  });
  return {
    agents: opts.agents,
    windowS: opts.windowS,
    ours: summary(ours),
    bare: summary(bare),
    samples: { ours, bare },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Remote agents

export interface RemoteAgent {
  nodeId: string;
  /** The agent's dataDir (venvs, eggs, runs). */
  dataDir: string;
  root: string;
  proc: ChildProcess;
  exited: Promise<void>;
  output: () => string;
}

/** `scrapyard-agent` as users run it: the linked command (its shim carries the V8 flags we ship with). */
const AGENT_BIN = join(ROOT, 'node_modules/.bin/scrapyard-agent');

function run(
  file: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
): Promise<{ code: number; out: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(file, args, { env, stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs, killSignal: 'SIGKILL' });
    let out = '';
    p.stdout.on('data', (b: Buffer) => (out += b.toString()));
    p.stderr.on('data', (b: Buffer) => (out += b.toString()));
    p.on('error', reject);
    p.on('exit', (code, signal) => resolve({ code: code ?? (signal ? 128 : -1), out }));
  });
}

/**
 * Enrolls and starts one remote agent for `m` the documented way: POST /api/v1/nodes/enrollments → token →
 * `scrapyard-agent register --config F --token T` → `scrapyard-agent --config F`; resolves once the master lists
 * it online. `env` is added to the agent's environment (its crawls inherit it).
 */
export async function startRemoteAgent(
  m: Master,
  opts: { nodeId: string; slots: number; env?: Record<string, string> },
): Promise<RemoteAgent> {
  const root = mkdtempSync(join(tmpdir(), 'bench-agent-'));
  const dataDir = join(root, 'data');
  try {
    // Enrolling is administration: the master's admin token (absent on masters older than the token).
    const tokenFile = join(m.dataDir, 'admin-token');
    const admin: Record<string, string> = existsSync(tokenFile)
      ? { authorization: `Bearer ${readFileSync(tokenFile, 'utf8').trim()}` }
      : {};
    const r = await fetch(`${m.url}/api/v1/nodes/enrollments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...admin },
      body: JSON.stringify({ nodeId: opts.nodeId }),
    });
    const body = (await r.json()) as Record<string, unknown>;
    if (r.status !== 201 || typeof body.token !== 'string') {
      throw new Error(`enrollment failed: ${r.status} ${JSON.stringify(body)}`);
    }
    const config = join(root, 'agent.json');
    writeFileSync(
      config,
      JSON.stringify({ masterUrl: m.url.replace(/^http/, 'ws'), dataDir, slots: opts.slots, python: PYTHON }),
    );
    const env = { ...process.env, ...opts.env };
    const reg = await run(AGENT_BIN, ['register', '--config', config, '--token', body.token], env, 30_000);
    if (reg.code !== 0) throw new Error(`scrapyard-agent register exited ${reg.code}:\n${reg.out}`);
    const proc = spawn(AGENT_BIN, ['--config', config], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    proc.stdout.on('data', (b: Buffer) => (out = (out + b.toString()).slice(-200_000)));
    proc.stderr.on('data', (b: Buffer) => (out = (out + b.toString()).slice(-200_000)));
    const exited = new Promise<void>((res) => proc.on('exit', () => res()));
    const agent: RemoteAgent = { nodeId: opts.nodeId, dataDir, root, proc, exited, output: () => out };
    try {
      await waitFor(
        async () => (await get(m.url, `api/v1/nodes/${opts.nodeId}`)).online === true,
        30_000,
        `remote agent ${opts.nodeId} to be online`,
        100,
      );
    } catch (e) {
      await stopRemoteAgent(agent);
      throw new Error(`${(e as Error).message}\nagent output:\n${out.slice(-3000)}`);
    }
    return agent;
  } catch (e) {
    rmSync(root, { recursive: true, force: true });
    throw e;
  }
}

export async function stopRemoteAgent(a: RemoteAgent): Promise<void> {
  await terminate(a.proc, a.exited);
  await spawnKill(a.dataDir); // crawls outlive their agent by design
  rmSync(a.root, { recursive: true, force: true });
}

/** A master without a local agent and one enrolled remote agent; `body` runs with both, then both are gone. */
async function withRemoteCluster<T>(
  agentOpts: { slots: number; env?: Record<string, string> },
  body: (m: Master, a: RemoteAgent) => Promise<T>,
): Promise<T> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-remote-'));
  let m: Master | undefined;
  let a: RemoteAgent | undefined;
  try {
    m = await startMaster(dataDir, {}, ['--no-local-agent']);
    a = await startRemoteAgent(m, { nodeId: 'bench-agent', ...agentOpts });
    return await body(m, a);
  } finally {
    if (a) await stopRemoteAgent(a);
    if (m) await stop(m);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------------------------
// remote-start

export function remoteStart(stamp: Stamp, runs: number) {
  return withRemoteCluster({ slots: 4, env: stampEnv(stamp) }, async (m, a) => {
    await deploy(m.url);
    const { ours, bare } = await startLatencyRuns(m.url, a.dataDir, stamp, runs);
    return { ours: median(ours), bare: median(bare) };
  });
}

// ---------------------------------------------------------------------------------------------------------------
// logship

/** Builds bench/fixtures/flood into an egg the way scrapyd-deploy does (`setup.py bdist_egg`). */
async function buildFloodEgg(): Promise<Buffer> {
  const work = mkdtempSync(join(tmpdir(), 'bench-flood-egg-'));
  try {
    await copySources(join(ROOT, 'bench/fixtures/flood'), join(work, 'src'));
    mkdirSync(join(work, 'out'));
    await runOffline(PYTHON, ['setup.py', '-q', 'bdist_egg', '-d', join(work, 'out')], join(work, 'src'));
    const [egg] = readdirSync(join(work, 'out')).filter((f) => f.endsWith('.egg'));
    if (!egg) throw new Error('flood egg was not built');
    return readFileSync(join(work, 'out', egg));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

const sizeOf = (path: string) => {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
};
function tail(path: string, bytes: number): string {
  const fd = openSync(path, 'r');
  try {
    const size = statSync(path).size;
    const buf = Buffer.alloc(Math.min(bytes, size));
    readSync(fd, buf, 0, buf.length, size - buf.length);
    return buf.toString('utf8');
  } finally {
    closeSync(fd);
  }
}

interface ShipSample {
  /** Master-side rate, first byte → final size, MB/s (10^6 bytes). */
  mbps: number;
  /** Python's own write rate of the same bytes into the agent-side file, MB/s. */
  writeMbps: number;
  bytes: number;
  seconds: number;
}

/** One flood job: polls the master's copy of its log every ~2 ms, from the first byte to the final size. */
async function floodOnce(m: Master, mb: number): Promise<ShipSample> {
  const r = await post(m.url, 'schedule.json', { project: 'flood', spider: 'flood', mb: String(mb) });
  if (r.status !== 'ok') throw new Error(`schedule failed: ${JSON.stringify(r)}`);
  const jobid = String(r.jobid);
  const path = join(m.dataDir, 'logs', 'flood', 'flood', `${jobid}.log`);
  const samples: { t: number; size: number }[] = [];
  const deadline = Date.now() + 300_000 + mb * 2_000;
  let finished = false;
  let lastCheck = 0;
  let lastChange = performance.now();
  for (;;) {
    const t = performance.now();
    const size = sizeOf(path);
    if (size !== (samples.at(-1)?.size ?? 0)) {
      samples.push({ t, size });
      lastChange = t;
    }
    if (t - lastCheck > 250) {
      lastCheck = t;
      // Cheap checks while bytes flow; listjobs only when the file has been still for a moment.
      if (t - lastChange > 200 && !finished) {
        const jobs = (await get(m.url, 'listjobs.json?project=flood')) as { finished?: { id: string }[] };
        finished = (jobs.finished ?? []).some((j) => j.id === jobid);
      }
    }
    // Complete: the job has finished and the master's copy has not grown for a second.
    if (finished && t - lastChange > 1_000) break;
    if (Date.now() > deadline) throw new Error(`timed out: flood job ${jobid} (master has ${size} bytes)`);
    await sleep(2);
  }
  const final = samples.at(-1)?.size ?? 0;
  if (final < mb * 1_000_000 * 0.99) throw new Error(`flood job ${jobid}: master's log has only ${final} bytes`);
  const first = samples[0]!;
  const end = samples.find((s) => s.size === final)!;
  const seconds = (end.t - first.t) / 1000;
  const wrote = /FLOOD_WROTE (\d+) ([\d.]+)/.exec(tail(path, 65_536));
  if (!wrote) throw new Error(`flood job ${jobid}: no FLOOD_WROTE line at the end of its log`);
  rmSync(path, { force: true }); // 200 MB per run; the agent's copy goes with its data dir
  return {
    mbps: (final - first.size) / 1e6 / seconds,
    writeMbps: Number(wrote[1]) / 1e6 / Number(wrote[2]),
    bytes: final,
    seconds,
  };
}

export async function logship(opts: { runs: number; mb: number }) {
  const egg = await buildFloodEgg();
  return withRemoteCluster({ slots: 1 }, async (m) => {
    await deploy(m.url, 'flood', egg);
    const samples: ShipSample[] = [];
    for (let i = 0; i < opts.runs; i++) samples.push(await floodOnce(m, opts.mb));
    return {
      mb: opts.mb,
      mbps: median(samples.map((s) => s.mbps)),
      writeMbps: median(samples.map((s) => s.writeMbps)),
      seconds: median(samples.map((s) => s.seconds)),
      samples,
    };
  });
}
