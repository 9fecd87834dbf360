/**
 * /metrics scrape time at scale: a master (no local agent, temporary nodes on) holding 1,000 simulated agents
 * (bench/sim-agents.ts, its own process, heartbeating host metrics every 5 s: each node has slots and host gauges)
 * with 100,000 finished jobs in its database (inserted in bulk through the master's own migrations and kysely
 * before it starts). Scrapes of /metrics, with the scrape token, alternate with two baselines served by the same
 * process in the same run: GET /api/v1/nodes (the node list, the REST API's view of the same registry) and GET
 * /daemonstatus.json (a grouped COUNT over every job). Times are client-side (request → last body byte), medians
 * and p99 over `scrapes` rounds. Target: /metrics median ≤ 50 ms.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { AGENT_WS_PATH } from '@scrapyard/protocol';
import { openDatabase } from '../packages/master/src/db/database.js';
import { insertJobHistory } from '../packages/master/src/db/repos/jobs/job-history.test-support.js';
import { jsonChild, stopChild, type JsonChild } from './cluster.js';
import { ROOT, median, startMaster, stop, waitFor, type Master } from './lib.js';

const TOKEN = `bench-${randomBytes(16).toString('hex')}`;

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};

/** 100,000 finished jobs over 20 projects × 10 spiders, as the job service leaves them. */
async function seedJobs(dataDir: string, n: number): Promise<void> {
  const db = await openDatabase({ dataDir, autoMigrate: true });
  try {
    await insertJobHistory(db, { finished: n, nodes: 1_000 });
  } finally {
    await db.destroy();
  }
}

async function timed(url: string, headers: Record<string, string>): Promise<{ ms: number; bytes: number }> {
  const t0 = performance.now();
  const r = await fetch(url, { headers });
  const body = await r.arrayBuffer();
  const ms = performance.now() - t0;
  if (r.status !== 200) throw new Error(`${url} answered ${r.status}`);
  return { ms, bytes: body.byteLength };
}

export interface MetricsScrapeResult {
  nodes: number;
  jobs: number;
  metrics: { median: number; p99: number; bytes: number; series: number };
  nodeList: { median: number; p99: number };
  daemonstatus: { median: number; p99: number };
}

export async function metricsScrape(opts: {
  nodes: number;
  jobs: number;
  scrapes: number;
}): Promise<MetricsScrapeResult> {
  const secret = randomBytes(24).toString('hex');
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-metrics-'));
  let master: Master | undefined;
  let sim: JsonChild | undefined;
  try {
    await seedJobs(dataDir, opts.jobs);
    master = await startMaster(
      dataDir,
      {
        SCRAPYARD_TEMPORARY_NODES: 'on',
        SCRAPYARD_TEMPORARY_NODE_SECRET: secret,
        SCRAPYARD_MAX_PENDING_HANDSHAKES: '500',
        SCRAPYARD_METRICS_TOKEN: TOKEN,
        // Keep the seeded history: start-up trims finished jobs to this.
        SCRAPYARD_FINISHED_TO_KEEP: String(opts.jobs * 2),
      },
      ['--no-local-agent'],
    );
    const port = Number(new URL(master.url).port);
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
        String(opts.nodes),
        '--concurrency',
        '500',
        '--interval-ms',
        '5000',
      ],
      { ...process.env, BENCH_TEMPORARY_SECRET: secret },
    );
    const connected = await sim.next('connected', 120_000);
    if (Number(connected.connected) !== opts.nodes) {
      throw new Error(`only ${String(connected.connected)} of ${opts.nodes} simulated agents got in`);
    }
    const auth = { authorization: `Bearer ${TOKEN}` };
    const m = master;
    // Every node has sent a heartbeat (host gauges) once the exposition carries all of them.
    await waitFor(
      async () => {
        const text = await (await fetch(`${m.url}/metrics`, { headers: auth })).text();
        return (text.match(/^scrapyard_node_cpus\{/gm)?.length ?? 0) === opts.nodes;
      },
      30_000,
      'host gauges of every simulated node',
      500,
    );
    const daemon = (await (await fetch(`${m.url}/daemonstatus.json`)).json()) as { finished: number };
    if (daemon.finished !== opts.jobs) throw new Error(`${daemon.finished} finished jobs, expected ${opts.jobs}`);
    const text = await (await fetch(`${m.url}/metrics`, { headers: auth })).text();
    const series = text.split('\n').filter((l) => l !== '' && !l.startsWith('#')).length;

    const metrics: number[] = [];
    const nodeList: number[] = [];
    const daemonstatus: number[] = [];
    let bytes = 0;
    // Warm-up, then rounds; the order rotates so drift in the machine's speed favours none of the three.
    for (let i = 0; i < 10; i++) await timed(`${m.url}/metrics`, auth);
    for (let i = 0; i < opts.scrapes; i++) {
      const order = [0, 1, 2].map((k) => (k + i) % 3);
      for (const k of order) {
        if (k === 0) {
          const r = await timed(`${m.url}/metrics`, auth);
          metrics.push(r.ms);
          bytes = r.bytes;
        } else if (k === 1) {
          nodeList.push((await timed(`${m.url}/api/v1/nodes`, {})).ms);
        } else {
          daemonstatus.push((await timed(`${m.url}/daemonstatus.json`, {})).ms);
        }
      }
      await sleep(5); // a scraper's pace, not a load test
    }
    return {
      nodes: opts.nodes,
      jobs: opts.jobs,
      metrics: { median: median(metrics), p99: pct(metrics, 99), bytes, series },
      nodeList: { median: median(nodeList), p99: pct(nodeList, 99) },
      daemonstatus: { median: median(daemonstatus), p99: pct(daemonstatus, 99) },
    };
  } finally {
    if (sim) await stopChild(sim);
    if (master) await stop(master);
    rmSync(dataDir, { recursive: true, force: true });
  }
}
