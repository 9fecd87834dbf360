/**
 * Scrapyard benchmarks (see bench/README.md). Prints one table of medians and ratios against baselines measured
 * in the same run. Loopback only; every loop is bounded in count and time.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { startPostgres } from '../scripts/pg-server.mjs';
import { buildEgg } from '../test/helpers/eggs.js';
import { PYTHON } from '../test/helpers/python.js';
import { agents10k, logship, remoteStart } from './cluster.js';
import { eventToAlert } from './alerts.js';
import { authThroughput, authThroughputRows } from './auth-throughput.js';
import { eventToDelivery } from './deliveries.js';
import { idleRss } from './idle.js';
import { jobsList, jobsListRows } from './jobs-list.js';
import { liveStatsCost } from './live-stats.js';
import { liveFanout, STREAMS } from './live-events.js';
import { logViewerAtSize } from './log-viewer.js';
import { metricsScrape } from './metrics.js';
import { firePrecision } from './schedules.js';
import { uiLoad, uiLoadRows } from './ui-load.js';
import { uiLiveBusy, uiLiveBusyRows } from './ui-live-busy.js';
import {
  ROOT,
  deploy,
  directCrawl,
  fmt,
  get,
  loadGenerator,
  median,
  post,
  rssMb,
  spawnKill,
  stampDir,
  stampEnv,
  startLatencyRuns,
  startMaster,
  stop,
  waitFor,
  type Stamp,
} from './lib.js';

const { values: opts } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    quick: { type: 'boolean', default: false },
    /** Comma-separated subset of latency,…,metrics-scrape,auth-throughput,jobs-list,ui-load (the default list below). */
    only: {
      type: 'string',
      default:
        'latency,throughput,pg-throughput,makespan,idle,agents10k,remote-start,logship,fire-precision,stats-cost,event-delivery,alert-notice,metrics-scrape,auth-throughput,live-fanout,jobs-list,ui-load,log-viewer,ui-live-busy',
    },
    /** Simulated agents of agents10k (default 10000; 1000 with --quick). */
    agents: { type: 'string' },
  },
});
const ONLY = new Set(opts.only.split(','));
const RUNS = Math.max(1, Math.min(20, Number(opts.runs)));
const AGENTS = Math.max(1, Math.min(15_000, Number(opts.agents ?? (opts.quick ? 1000 : 10_000))));

async function latency(stamp: Stamp) {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-lat-'));
  const m = await startMaster(dataDir, { ...stampEnv(stamp), SCRAPYARD_MAX_PROC: '4' });
  try {
    await deploy(m.url);
    const { ours, bare } = await startLatencyRuns(m.url, join(dataDir, 'agent'), stamp, RUNS);
    return { ours: median(ours), bare: median(bare) };
  } finally {
    await stop(m);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * schedule.json under 16 connections, then kill -9 and a count of what survived. `store` gives a fresh
 * database_url per run (PostgreSQL); without it, SQLite in the data dir.
 */
async function throughput(store?: () => Promise<string>) {
  const results: { rps: number; p99: number; accepted: number; survived: number }[] = [];
  for (let i = 0; i < RUNS; i++) {
    const dataDir = mkdtempSync(join(tmpdir(), 'bench-tput-'));
    const database: Record<string, string> = store ? { SCRAPYARD_DATABASE_URL: await store() } : {};
    let m = await startMaster(dataDir, { SCRAPYARD_MAX_PROC: '1', ...database });
    try {
      await deploy(m.url);
      await post(m.url, 'schedule.json', { project: 'demo', spider: 'slow', seconds: '120' });
      await waitFor(async () => (await get(m.url, 'daemonstatus.json')).running === 1, 30_000, 'blocker to run');
      const r = await loadGenerator(`${m.url}/schedule.json`, opts.quick ? 3 : 8);
      // Accepted = answered 2xx to the client. Requests still in flight at the kill may also have been stored.
      const accepted = r['2xx'];
      m.proc.kill('SIGKILL');
      await m.exited;
      await spawnKill(dataDir);
      m = await startMaster(dataDir, { SCRAPYARD_MAX_PROC: '1', SCRAPYARD_LOCAL_AGENT: 'off', ...database });
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

/**
 * schedule.json on PostgreSQL (a durable server: fsync and synchronous_commit on) beside its floor, a bare pg
 * client inserting the same rows one transaction per request over 16 connections, on a database migrated by
 * `scrapyard-master migrate`.
 */
async function pgThroughput() {
  const server = await startPostgres({ durable: true });
  try {
    const ours = await throughput(() => server.createDatabase());
    const floor: { rps: number; p99: number }[] = [];
    for (let i = 0; i < RUNS; i++) {
      const url = await server.createDatabase();
      const migrated = spawnSync(join(ROOT, 'node_modules/.bin/scrapyard-master'), ['migrate', '--database-url', url], {
        encoding: 'utf8',
      });
      if (migrated.status !== 0) throw new Error(`migrate failed: ${migrated.stderr}`);
      const r = spawnSync(
        process.execPath,
        ['--import', 'tsx', join(ROOT, 'bench/pg-floor.ts'), url, opts.quick ? '3' : '8'],
        {
          encoding: 'utf8',
          cwd: ROOT,
        },
      );
      if (r.status !== 0) throw new Error(`pg floor failed: ${r.stderr}`);
      floor.push(JSON.parse(r.stdout) as { rps: number; p99: number });
    }
    return { ours, floor: { rps: median(floor.map((f) => f.rps)), p99: median(floor.map((f) => f.p99)) } };
  } finally {
    await server.stop();
  }
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
  // Keep a copy of the venv and egg for the direct baselines (the latency master's data dir is gone).
  const keep = mkdtempSync(join(tmpdir(), 'bench-keep-'));
  try {
    await measure(stamp, keep);
  } finally {
    rmSync(keep, { recursive: true, force: true });
    rmSync(stamp.pythonPath, { recursive: true, force: true });
  }
}

async function measure(stamp: Stamp, keep: string) {
  const lat = ONLY.has('latency') ? await latency(stamp) : null;
  const venvDir = join(keep, 'venv');
  await new Promise<void>((r) =>
    spawn(PYTHON, ['-m', 'venv', '--system-site-packages', '--without-pip', venvDir]).on('exit', () => r()),
  );
  const egg = join(keep, 'demo.egg');
  writeFileSync(egg, await buildEgg('demo'));
  const tput = ONLY.has('throughput') ? await throughput() : null;
  const pgTput = ONLY.has('pg-throughput') ? await pgThroughput() : null;
  const mk = ONLY.has('makespan') ? await makespan(join(venvDir, 'bin', 'python'), egg) : null;
  const idle = ONLY.has('idle') ? await idleRss(RUNS) : null;
  const a10k = ONLY.has('agents10k')
    ? await agents10k({ runs: RUNS, agents: AGENTS, windowS: opts.quick ? 15 : 60 })
    : null;
  const remote = ONLY.has('remote-start') ? await remoteStart(stamp, RUNS) : null;
  const ship = ONLY.has('logship') ? await logship({ runs: RUNS, mb: opts.quick ? 50 : 200 }) : null;
  const fire = ONLY.has('fire-precision')
    ? await firePrecision({ schedules: opts.quick ? 200 : 1000, minutes: opts.quick ? 1 : 3 })
    : null;
  const stats = ONLY.has('stats-cost') ? await liveStatsCost({ runs: RUNS, quick: opts.quick }) : null;
  const fanout = ONLY.has('live-fanout') ? await liveFanout({ runs: RUNS, quick: opts.quick }) : null;
  const delivery = ONLY.has('event-delivery') ? await eventToDelivery({ runs: RUNS, quick: opts.quick }) : null;
  const notice = ONLY.has('alert-notice') ? await eventToAlert({ runs: RUNS, quick: opts.quick }) : null;
  const scrape = ONLY.has('metrics-scrape')
    ? await metricsScrape({ nodes: 1000, jobs: 100_000, scrapes: opts.quick ? 50 : 40 * RUNS })
    : null;
  const auth = ONLY.has('auth-throughput') ? await authThroughput({ runs: RUNS, quick: opts.quick }) : null;
  const list = ONLY.has('jobs-list') ? await jobsList({ jobs: 100_000, rounds: opts.quick ? 10 : 10 * RUNS }) : null;
  const ui = ONLY.has('ui-load') ? await uiLoad({ runs: opts.quick ? 3 : 2 * RUNS }) : null;
  const logView = ONLY.has('log-viewer') ? await logViewerAtSize({ runs: RUNS, quick: opts.quick }) : null;
  const uiLive = ONLY.has('ui-live-busy') ? await uiLiveBusy({ runs: RUNS, quick: opts.quick }) : null;
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
  if (pgTput) {
    const { ours, floor } = pgTput;
    rows.push([
      'schedule.json on PostgreSQL (req/s, 16 conns)',
      fmt(ours.rps, 0),
      `bare pg ${fmt(floor.rps, 0)}`,
      `×${fmt(ours.rps / floor.rps, 2)}`,
      '≥ ×0.50',
    ]);
    rows.push(['schedule.json on PostgreSQL: p99 (ms)', fmt(ours.p99), `bare pg ${fmt(floor.p99)}`, '', '']);
    rows.push([
      'jobs lost after kill -9, PostgreSQL (worst run)',
      String(ours.lost),
      `of ~${fmt(ours.accepted, 0)} accepted`,
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
    rows.push(['RSS master+agent idle (MB)', fmt(mk.idle), '—', '', '≤ 95']);
    rows.push(['RSS master+agent after runs (MB)', fmt(mk.rss), '—', '', '']);
  }
  if (idle) {
    rows.push([
      'RSS master+agent idle, fresh data dir (MB)',
      fmt(idle.ours),
      `libraries ${fmt(idle.floor)}, bare node ${fmt(idle.bare)}`,
      `+${fmt(idle.ours - idle.floor)} MB`,
      '≤ 95',
    ]);
  }
  if (a10k) {
    const n = a10k.agents.toLocaleString('en-US');
    const { ours, bare } = a10k;
    rows.push([
      `${n} agents: master CPU, ${a10k.windowS} s steady (% of 1 core)`,
      fmt(ours.cpu),
      `bare ws ${fmt(bare.cpu)}`,
      `+${fmt(ours.cpu - bare.cpu)} pts`,
      '< 50',
    ]);
    rows.push([
      `${n} agents: master RSS (MB)`,
      fmt(ours.rss),
      `bare ws ${fmt(bare.rss)}`,
      `+${fmt(ours.rss - bare.rss)} MB`,
      '< 500, ≤ +60 MB',
    ]);
    rows.push([
      `${n} agents: RSS at window start → end (MB)`,
      `${fmt(ours.rssStart)} → ${fmt(ours.rssEnd)}`,
      `bare ws ${fmt(bare.rssStart)} → ${fmt(bare.rssEnd)}`,
      `growth ${fmt(ours.rssEnd - ours.rssStart)} / ${fmt(bare.rssEnd - bare.rssStart)} MB`,
      '',
    ]);
    rows.push([
      `${n} agents: connect time (s)`,
      fmt(ours.connectMs / 1000, 2),
      `bare ws ${fmt(bare.connectMs / 1000, 2)}`,
      `×${fmt(ours.connectMs / bare.connectMs, 2)}`,
      '',
    ]);
    rows.push([
      `${n} agents: heartbeats/s sent (sim CPU %)`,
      `${fmt(ours.hbRate, 0)} (${fmt(ours.simCpu, 0)})`,
      `${fmt(bare.hbRate, 0)} (${fmt(bare.simCpu, 0)})`,
      `open at end ${ours.minOpen}/${bare.minOpen}`,
      `${fmt(a10k.agents / 5, 0)}`,
    ]);
  }
  if (remote) {
    rows.push([
      'schedule → crawl start, remote agent (ms)',
      fmt(remote.ours),
      `bare spawn ${fmt(remote.bare)}`,
      `+${fmt(remote.ours - remote.bare)} ms`,
      '≤ +25 ms',
    ]);
  }
  if (ship) {
    rows.push([
      `log shipping agent → master, ${ship.mb} MB of 120 B lines (MB/s)`,
      fmt(ship.mbps),
      `python write ${fmt(ship.writeMbps)}`,
      `${fmt(ship.seconds, 2)} s`,
      '≥ 20',
    ]);
  }
  if (fire) {
    rows.push([
      `schedule fire → job queued, ${fire.expected} fires (ms)`,
      `${fmt(fire.median)} (p99 ${fmt(fire.p99)})`,
      `bare timer ${fmt(fire.bareMedian)} (p99 ${fmt(fire.bareP99)})`,
      `max ${fmt(fire.max)}`,
      'p99 ≤ 100',
    ]);
    rows.push([
      'schedule fires missed / doubled / without a job',
      `${fire.missed} / ${fire.doubled} / ${fire.jobless}`,
      `${fire.fires} in the ledger`,
      '',
      '0 / 0 / 0',
    ]);
  }
  if (stats) {
    rows.push([
      `crawl CPU with live stats, ${stats.n} requests (s)`,
      fmt(stats.on, 2),
      `without ${fmt(stats.off, 2)}`,
      `${stats.on >= stats.off ? '+' : ''}${fmt(((stats.on - stats.off) / stats.off) * 100, 1)} %`,
      '≤ +2 %',
    ]);
  }
  if (fanout) {
    rows.push([
      `${STREAMS} live streams, job events ${fanout.rate}/s for ${fanout.seconds} s: master CPU (% of 1 core)`,
      fmt(fanout.cpu),
      `no stream ${fmt(fanout.bareCpu)}`,
      `+${fmt(fanout.cpu - fanout.bareCpu)} pts`,
      '',
    ]);
    rows.push([
      `${STREAMS} live streams: events delivered (/s, all streams)`,
      fmt(fanout.perSecond, 0),
      `sent ${fanout.rate * STREAMS}/s`,
      `lost ${fanout.lost}, resets ${fanout.resets}`,
      '0 lost',
    ]);
  }
  if (logView) {
    rows.push([
      `log viewer, ${fmt(logView.sizeMb, 0)} MB log: navigation → last line visible (ms)`,
      fmt(logView.openMs, 0),
      `${fmt(logView.nodes, 0)} DOM nodes`,
      '',
      '≤ 1000 ms',
    ]);
    rows.push([
      'log viewer: JS heap open / after 30 chunks read up (MB)',
      fmt(logView.heapMb),
      `after ${fmt(logView.heapAfterMb)}`,
      `${fmt(logView.nodesAfter, 0)} DOM nodes after`,
      '≤ 50 MB',
    ]);
  }
  if (delivery) {
    rows.push([
      `job finished → webhook received, ${delivery.rate}/s for ${delivery.seconds} s: p99 (ms)`,
      fmt(delivery.p99),
      `direct POST ${fmt(delivery.bareP99)}`,
      `+${fmt(delivery.p99 - delivery.bareP99)} ms`,
      '≤ 200',
    ]);
    rows.push([
      'job finished → webhook received: p50 (ms)',
      fmt(delivery.p50),
      `direct POST ${fmt(delivery.bareP50)}`,
      `lost ${delivery.lost}`,
      '0 lost',
    ]);
  }
  if (notice) {
    rows.push([
      `crawl failed → alert notice received, ${notice.rate}/s for ${notice.seconds} s: p99 (ms)`,
      fmt(notice.p99),
      `direct POST ${fmt(notice.bareP99)}`,
      `+${fmt(notice.p99 - notice.bareP99)} ms`,
      '≤ 200',
    ]);
    rows.push([
      'crawl failed → alert notice received: p50 (ms)',
      fmt(notice.p50),
      `direct POST ${fmt(notice.bareP50)}`,
      `lost ${notice.lost}`,
      '0 lost',
    ]);
  }
  if (scrape) {
    const { metrics, nodeList, daemonstatus } = scrape;
    const what = `${scrape.nodes.toLocaleString('en-US')} nodes, ${scrape.jobs.toLocaleString('en-US')} finished jobs`;
    rows.push([
      `GET /metrics, ${what} (ms)`,
      `${fmt(metrics.median)} (p99 ${fmt(metrics.p99)})`,
      `GET /api/v1/nodes ${fmt(nodeList.median)} (p99 ${fmt(nodeList.p99)})`,
      `×${fmt(metrics.median / nodeList.median, 2)}`,
      '≤ 50',
    ]);
    rows.push([
      'GET /metrics: exposition size',
      `${fmt(metrics.bytes / 1024, 0)} KiB, ${metrics.series} samples`,
      `GET /daemonstatus.json ${fmt(daemonstatus.median)} (p99 ${fmt(daemonstatus.p99)}) ms`,
      `×${fmt(metrics.median / daemonstatus.median, 2)}`,
      '',
    ]);
  }
  if (auth) rows.push(...authThroughputRows(auth));
  if (list) rows.push(...jobsListRows(list, 100_000));
  if (ui) rows.push(...uiLoadRows(ui));
  if (uiLive) rows.push(...uiLiveBusyRows(uiLive));
  const header = ['metric (median)', 'ours', 'baseline', 'ratio/delta', 'target'];
  const widths = header.map((h, i) => Math.max(...rows.map((r) => r[i]!.length), h.length, 8));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of rows) console.log(line(r));
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
