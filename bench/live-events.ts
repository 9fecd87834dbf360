/**
 * Live event fan-out: what 50 open UI streams (GET /api/v1/events) cost the master during a burst of job events.
 * A master is built in this process (no agent); `job.queued` events are published on its event stream, as the job
 * service does after a commit, at `rate` per second for `seconds`, while 50 streams read them in a child process
 * (bench/live-clients.mjs). Measured: this process's CPU over the burst (the master; the clients have their own),
 * the events delivered per second over all streams, and resets (a stream that fell behind). Baseline, in the same
 * run and process: the same burst with no stream open. Runs alternate with and without streams; medians.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp, loadMasterConfig } from '../packages/master/src/index.js';
import { adminToken, paced, RATE } from './deliveries.js';
import { ROOT, median } from './lib.js';
import { createRequire } from 'node:module';

const pino = createRequire(join(ROOT, 'packages/master/package.json'))('pino') as (o: {
  level: string;
}) => Parameters<typeof buildApp>[1];

export const STREAMS = 50;
/** Events per `paced` tick: RATE ticks a second. */
const PER_TICK = 5;

interface Clients {
  result: Promise<{ counts: number[]; resets: number; ms: number }>;
}

async function startClients(url: string, token: string, expect: number): Promise<Clients> {
  const child = spawn(
    process.execPath,
    [join(ROOT, 'bench/live-clients.mjs'), url, token, String(STREAMS), String(expect), '60000'],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const lines = createInterface({ input: child.stdout });
  let readyResolve: () => void = () => undefined;
  const ready = new Promise<void>((r) => (readyResolve = r));
  const result = new Promise<{ counts: number[]; resets: number; ms: number }>((resolve, reject) => {
    lines.on('line', (line) => {
      if (line === 'ready') readyResolve();
      else resolve(JSON.parse(line) as { counts: number[]; resets: number; ms: number });
    });
    child.on('exit', (code) => reject(new Error(`live clients exited (${code}) without a result`)));
  });
  await Promise.race([ready, result.then(() => undefined)]);
  return { result };
}

async function oneRun(withStreams: boolean, seconds: number) {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-live-'));
  const config = loadMasterConfig({ flags: { dataDir, httpPort: 0, localAgent: false, logLevel: 'warn' } });
  const master = await buildApp(config, pino({ level: 'warn' }));
  try {
    await master.app.listen({ host: '127.0.0.1', port: 0 });
    const address = master.app.server.address() as { port: number };
    const n = seconds * RATE * PER_TICK;
    const clients = withStreams
      ? await startClients(`http://127.0.0.1:${address.port}`, await adminToken(dataDir), n)
      : null;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await paced(seconds, (i) => {
      for (let k = 0; k < PER_TICK; k++) {
        const j = i * PER_TICK + k;
        master.events.publish({
          type: 'job.queued',
          job: { jobId: `j${j}`, runId: `r${j}`, project: 'bench', spider: 'quick' },
          priority: 0,
          tags: ['bench'],
          attempt: 1,
          argNames: ['page'],
          settingNames: [],
        });
      }
    });
    const got = clients ? await clients.result : null;
    const wallMs = performance.now() - t0;
    const used = process.cpuUsage(cpu0);
    // Per second of burst (the drain after it counted in): the same yardstick with and without streams.
    const cpu = ((used.user + used.system) / 1000 / (seconds * 1000)) * 100;
    void wallMs;
    const delivered = got ? got.counts.reduce((a, b) => a + b, 0) : 0;
    return {
      cpu,
      sent: n,
      delivered,
      perSecond: got && got.ms > 0 ? delivered / (got.ms / 1000) : 0,
      resets: got?.resets ?? 0,
    };
  } finally {
    await master.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function liveFanout(o: { runs: number; quick: boolean }) {
  const seconds = o.quick ? 2 : 5;
  const ours: Awaited<ReturnType<typeof oneRun>>[] = [];
  const bare: Awaited<ReturnType<typeof oneRun>>[] = [];
  for (let i = 0; i < o.runs; i++) {
    for (const withStreams of i % 2 === 0 ? [true, false] : [false, true]) {
      (withStreams ? ours : bare).push(await oneRun(withStreams, seconds));
    }
  }
  return {
    rate: RATE * PER_TICK,
    seconds,
    cpu: median(ours.map((r) => r.cpu)),
    bareCpu: median(bare.map((r) => r.cpu)),
    perSecond: median(ours.map((r) => r.perSecond)),
    lost: Math.max(...ours.map((r) => r.sent * STREAMS - r.delivered)),
    resets: Math.max(...ours.map((r) => r.resets)),
  };
}
