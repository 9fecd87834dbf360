/**
 * Event to delivery: a job finishing → its webhook received. A master is built in this process (no agent) with a
 * webhook for every job event at a rate that doesn't hold it back; `job.finished` events are published on its
 * event stream, as the job service does after committing a finish, at 100 per second for `seconds`; a receiver
 * on loopback stamps each signed delivery's arrival. Latency = arrival − publish, through the outbox insert,
 * the worker's pass, the claim, signing and the HTTP request. Baseline, in the same process and run: the same
 * signed body POSTed directly to the same receiver at the same rate (one HTTP hop, the floor).
 * Target: p99 ≤ 200 ms at 100 finishes/s.
 */
import { createHmac } from 'node:crypto';
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { buildApp, loadMasterConfig } from '../packages/master/src/index.js';
import { ROOT, median } from './lib.js';

// pino is the master's dependency, not the workspace root's.
const pino = createRequire(join(ROOT, 'packages/master/package.json'))('pino') as (o: {
  level: string;
}) => Parameters<typeof buildApp>[1];

export const RATE = 100;

export const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};

export async function receiver(onBody: (body: string) => void) {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      onBody(Buffer.concat(chunks).toString('utf8'));
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** Calls `fn(i)` RATE times a second for `seconds`, on schedule (not after the previous call). */
export async function paced(seconds: number, fn: (i: number) => void): Promise<number> {
  const n = seconds * RATE;
  const start = performance.now();
  for (let i = 0; i < n; i++) {
    const due = start + (i * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    fn(i);
  }
  return n;
}

async function oneRun(seconds: number) {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-deliv-'));
  const arrivals = new Map<string, number>();
  const rx = await receiver((body) => {
    const e = JSON.parse(body) as { data: { runId?: string } };
    if (e.data.runId) arrivals.set(e.data.runId, performance.now());
  });
  const config = loadMasterConfig({
    // The receiver is on loopback, which outbound_allowed_hosts refuses unless listed.
    flags: { dataDir, httpPort: 0, localAgent: false, logLevel: 'warn', outboundAllowedHosts: ['*', '127.0.0.1'] },
  });
  const master = await buildApp(config, pino({ level: 'warn' }));
  try {
    await master.app.listen({ host: '127.0.0.1', port: 0 });
    const created = await master.app.inject({
      method: 'POST',
      url: '/api/v1/webhooks',
      headers: { authorization: `Bearer ${await adminToken(dataDir)}` },
      payload: { url: `${rx.url}/hook`, events: ['job.finished'], ratePerSecond: 1000 },
    });
    if (created.statusCode !== 201) throw new Error(`webhook create: ${created.body}`);
    const sent = new Map<string, number>();
    const n = await paced(seconds, (i) => {
      const runId = `r${i.toString(16).padStart(31, '0')}`;
      sent.set(runId, performance.now());
      master.events.publish({
        type: 'job.finished',
        job: { jobId: `j${i}`, runId, project: 'bench', spider: 'quick' },
        nodeId: 'n1',
        attempt: 1,
        outcome: 'succeeded',
        exitCode: 0,
        reason: null,
        startedAt: Date.now() - 1000,
        endedAt: Date.now(),
      });
    });
    const deadline = Date.now() + 30_000;
    while (arrivals.size < n && Date.now() < deadline) await sleep(50);
    const lat = [...sent].filter(([id]) => arrivals.has(id)).map(([id, at]) => arrivals.get(id)! - at);
    return { p50: pct(lat, 50), p99: pct(lat, 99), delivered: arrivals.size, sent: n };
  } finally {
    await master.close();
    await new Promise<void>((r) => rx.server.close(() => r()));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function adminToken(dataDir: string): Promise<string> {
  const { readFileSync } = await import('node:fs');
  return readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();
}

/** The floor: the same kind of signed body POSTed straight to a receiver at the same rate. */
export async function baselineRun(seconds: number) {
  const arrivals = new Map<string, number>();
  const rx = await receiver((body) => arrivals.set((JSON.parse(body) as { id: string }).id, performance.now()));
  const sent = new Map<string, number>();
  try {
    const n = await paced(seconds, (i) => {
      const id = `r${i}`;
      const body = JSON.stringify({ id, type: 'job.finished', data: { runId: id, outcome: 'succeeded' } });
      const sig = createHmac('sha256', 'k').update(`${id}.${Date.now()}.${body}`).digest('base64');
      sent.set(id, performance.now());
      request(`${rx.url}/hook`, { method: 'POST', agent: false, headers: { 'webhook-signature': `v1,${sig}` } })
        .on('error', () => undefined)
        .end(body);
    });
    const deadline = Date.now() + 30_000;
    while (arrivals.size < n && Date.now() < deadline) await sleep(50);
    const lat = [...sent].filter(([id]) => arrivals.has(id)).map(([id, at]) => arrivals.get(id)! - at);
    return { p50: pct(lat, 50), p99: pct(lat, 99) };
  } finally {
    await new Promise<void>((r) => rx.server.close(() => r()));
  }
}

export interface PacedRun {
  p50: number;
  p99: number;
  delivered: number;
  sent: number;
}

/** Runs `oneRun` and the direct-POST baseline in turn, `runs` times, and reports the medians of both. */
export async function againstDirectPost(
  oneRun: (seconds: number) => Promise<PacedRun>,
  o: { runs: number; quick: boolean },
) {
  const seconds = o.quick ? 5 : 20;
  const ours: PacedRun[] = [];
  const bare: Awaited<ReturnType<typeof baselineRun>>[] = [];
  for (let i = 0; i < o.runs; i++) {
    ours.push(await oneRun(seconds));
    bare.push(await baselineRun(seconds));
  }
  return {
    rate: RATE,
    seconds,
    p50: median(ours.map((r) => r.p50)),
    p99: median(ours.map((r) => r.p99)),
    lost: Math.max(...ours.map((r) => r.sent - r.delivered)),
    bareP50: median(bare.map((r) => r.p50)),
    bareP99: median(bare.map((r) => r.p99)),
  };
}

export function eventToDelivery(o: { runs: number; quick: boolean }) {
  return againstDirectPost(oneRun, o);
}

if (process.argv[1]?.endsWith('deliveries.ts')) {
  const r = await eventToDelivery({ runs: Number(process.argv[2] ?? 1), quick: process.argv.includes('--quick') });
  console.log(JSON.stringify(r));
}
