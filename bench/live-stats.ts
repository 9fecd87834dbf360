/**
 * Live stats cost: CPU time (user + system) of the same CPU-bound crawl (bench/fixtures/flood's `busy` spider: 20,000
 * offline requests, an item each, to a jsonlines feed) run through the runner with the live stats extension on
 * (a run socket served by the agent's own StatsChannel, and a stats file) and off (no stats environment: the
 * extension is not loaded). Runs alternate on/off so a drift in the machine's speed favours neither; medians.
 * Target: ≤ 2 % more CPU with the extension.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runFiles } from '../packages/agent/src/runner/crawl-command.js';
import { StatsChannel } from '../packages/agent/src/runner/stats-channel.js';
import { PYTHON } from '../test/helpers/python.js';
import { ROOT, median } from './lib.js';

const RUNNER = join(ROOT, 'packages/agent/python/scrapyard_runner.py');
const PROJECT = join(ROOT, 'bench/fixtures/flood');
/** Reads the CPU time of its child (the runner) from getrusage, which Node does not expose for children. */
const CPU_OF_CHILD =
  'import os, resource, subprocess, sys\n' +
  'fds = [3] if os.environ.get("SCRAPYARD_STATS_TOKEN_FD") else []\n' +
  'r = subprocess.run(sys.argv[1:], pass_fds=fds).returncode\n' +
  'u = resource.getrusage(resource.RUSAGE_CHILDREN)\n' +
  'print("CPU", u.ru_utime + u.ru_stime, r)\n';

/** With `token`, the run's stats token goes to the runner on fd 3, as the agent's supervisor hands it. */
function crawlCpu(env: NodeJS.ProcessEnv, feed: string, n: number, token: string | null = null): Promise<number> {
  return new Promise((resolve, reject) => {
    const args = [
      'crawl',
      'busy',
      '-a',
      `n=${n}`,
      '-s',
      'LOG_LEVEL=INFO',
      '-s',
      `FEEDS={"${feed}": {"format": "jsonlines"}}`,
    ];
    const p = spawn(PYTHON, ['-c', CPU_OF_CHILD, PYTHON, RUNNER, ...args], {
      cwd: PROJECT,
      env: token ? { ...env, SCRAPYARD_STATS_TOKEN_FD: '3' } : env,
      stdio: token ? ['ignore', 'pipe', 'ignore', 'pipe'] : ['ignore', 'pipe', 'ignore'],
    });
    if (token) (p.stdio[3] as NodeJS.WritableStream).end(`${token}\n`);
    let out = '';
    p.stdout!.on('data', (b: Buffer) => (out += b.toString()));
    p.on('error', reject);
    const timer = setTimeout(() => p.kill('SIGKILL'), 600_000);
    p.on('exit', () => {
      clearTimeout(timer);
      const m = /^CPU ([0-9.]+) (-?\d+)$/m.exec(out);
      if (!m || m[2] !== '0') reject(new Error(`busy crawl failed: ${out.slice(-500)}`));
      else resolve(Number(m[1]));
    });
  });
}

type Logger = ConstructorParameters<typeof StatsChannel>[0]['logger'];
/** The channel logs only problems; the bench has no logger of its own (and pino is the agent's dependency). */
function silentLogger(): Logger {
  const quiet = (): undefined => undefined;
  const log: Record<string, unknown> = { warn: quiet, debug: quiet, info: quiet, error: quiet };
  log.child = () => log;
  return log as unknown as Logger;
}

export async function liveStatsCost(o: { runs: number; quick: boolean }) {
  const n = o.quick ? 5_000 : 20_000;
  const work = mkdtempSync(join(tmpdir(), 'bench-stats-'));
  const reports: unknown[] = [];
  const channel = new StatsChannel({
    identity: null,
    logger: silentLogger(),
    forward: (s) => reports.push(s),
  });
  const base: NodeJS.ProcessEnv = { ...process.env };
  for (const k of [
    'SCRAPYARD_STATS_SOCKET',
    'SCRAPYARD_STATS_FILE',
    'SCRAPYARD_STATS_INTERVAL',
    'SCRAPY_SETTINGS_MODULE',
  ]) {
    delete base[k];
  }
  const on: number[] = [];
  const off: number[] = [];
  try {
    await crawlCpu(base, `file://${join(work, 'warm.jl')}`, 500); // page cache, .pyc
    for (let i = 0; i < o.runs; i++) {
      for (const withStats of i % 2 === 0 ? [true, false] : [false, true]) {
        const runId = `${i}${withStats ? 'a' : 'b'}`.padEnd(32, '0');
        const files = runFiles(work, runId);
        mkdirSync(files.dir, { recursive: true });
        const feed = `file://${files.items}`;
        if (withStats) {
          const token = channel.open(runId, files, { fresh: true });
          const env = { ...base, SCRAPYARD_STATS_SOCKET: files.statsSocket, SCRAPYARD_STATS_FILE: files.stats };
          on.push(await crawlCpu(env, feed, n, token));
          if (!channel.ended(runId, files)) throw new Error('the crawl with the extension reported no final stats');
        } else {
          off.push(await crawlCpu(base, feed, n));
        }
        rmSync(files.dir, { recursive: true, force: true });
      }
    }
  } finally {
    channel.stop();
    rmSync(work, { recursive: true, force: true });
  }
  return { n, on: median(on), off: median(off), reports: reports.length };
}
