/**
 * Event to alert notice: a crawl failing → the alert's notice received. A master is built in this process (no
 * agent) with one rule (`job_outcome` failed) notifying a signed webhook channel on loopback. Failed jobs are
 * committed to its store first (one spider each, so every finish fires a new alert); their `job.finished` events
 * are then published at 100 per second, as the job service does after a commit. Latency = arrival − publish,
 * through the engine's queue (job read, alert insert, firing update), the outbox insert, the worker and the HTTP
 * request. Baseline, in the same run: a signed body POSTed directly to a receiver at the same rate.
 */
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { buildApp, loadMasterConfig } from '../packages/master/src/index.js';
import { createJobsRepo } from '../packages/master/src/db/repos/jobs.js';
import { adminToken, againstDirectPost, paced, pct, RATE, receiver } from './deliveries.js';
import { ROOT } from './lib.js';

const pino = createRequire(join(ROOT, 'packages/master/package.json'))('pino') as (o: {
  level: string;
}) => Parameters<typeof buildApp>[1];

async function oneRun(seconds: number) {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-alerts-'));
  const arrivals = new Map<string, number>();
  const rx = await receiver((body) => {
    const e = JSON.parse(body) as { data: { labels?: { job_id?: string } } };
    const job = e.data.labels?.job_id;
    if (job) arrivals.set(job, performance.now());
  });
  const config = loadMasterConfig({
    // The receiver is on loopback, which outbound_allowed_hosts refuses unless listed.
    flags: { dataDir, httpPort: 0, localAgent: false, logLevel: 'warn', outboundAllowedHosts: ['*', '127.0.0.1'] },
  });
  const master = await buildApp(config, pino({ level: 'warn' }));
  try {
    await master.app.listen({ host: '127.0.0.1', port: 0 });
    const auth = { authorization: `Bearer ${await adminToken(dataDir)}` };
    const channel = await master.app.inject({
      method: 'POST',
      url: '/api/v1/channels',
      headers: auth,
      payload: { name: 'bench', kind: 'webhook', config: { url: `${rx.url}/alerts` }, ratePerSecond: 1000 },
    });
    if (channel.statusCode !== 201) throw new Error(`channel create: ${channel.body}`);
    const channelId = (JSON.parse(channel.body) as { channel: { id: string } }).channel.id;
    const rule = await master.app.inject({
      method: 'POST',
      url: '/api/v1/alert-rules',
      headers: auth,
      payload: { name: 'failed', condition: { kind: 'job_outcome', outcomes: ['failed'] }, channels: [channelId] },
    });
    if (rule.statusCode !== 201) throw new Error(`rule create: ${rule.body}`);

    const n = seconds * RATE;
    const jobs = createJobsRepo(master.db);
    const runId = (i: number) => `a${i.toString(16).padStart(31, '0')}`;
    const endedAt = Date.now();
    for (let i = 0; i < n; i++) {
      const run = runId(i);
      await jobs.insertPending({
        runId: run,
        jobId: `j${i}`,
        project: 'bench',
        spider: `s${i}`,
        versionRequested: null,
        settings: [],
        args: [],
        priority: 0,
        createdAt: endedAt - 2_000,
        tags: [],
      });
      const row = (await jobs.byRunId(run))!;
      await jobs.claim(row.seq, 'n1', 'v1', endedAt - 1_000);
      const finish = { endedAt, startedAt: endedAt - 1_000, exitCode: 1, signal: null, outcome: 'failed', reason: 'x' };
      await jobs.markFinished(run, finish, 1_000_000);
    }
    const sent = new Map<string, number>();
    await paced(seconds, (i) => {
      sent.set(`j${i}`, performance.now());
      master.events.publish({
        type: 'job.finished',
        job: { jobId: `j${i}`, runId: runId(i), project: 'bench', spider: `s${i}` },
        nodeId: 'n1',
        attempt: 1,
        outcome: 'failed',
        exitCode: 1,
        reason: 'x',
        startedAt: endedAt - 1_000,
        endedAt,
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

export function eventToAlert(o: { runs: number; quick: boolean }) {
  return againstDirectPost(oneRun, o);
}

if (process.argv[1]?.endsWith('alerts.ts')) {
  const r = await eventToAlert({ runs: Number(process.argv[2] ?? 1), quick: process.argv.includes('--quick') });
  console.log(JSON.stringify(r));
}
