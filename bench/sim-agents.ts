/**
 * Simulated agents for the `agents10k` bench: N light `ws` clients that each complete the handshake (challenge →
 * identify → master.proof, checked → hello with a temporary-node proof → welcome), then send a `heartbeat` with realistic host metrics every interval,
 * the N clients' heartbeats spread evenly over it. They answer nothing else. Runs in its own process so the master
 * (or the bare-ws baseline, bench/ws-baseline.mjs) never shares an event loop with it:
 *
 *   node --conditions=@scrapyard/source --import tsx bench/sim-agents.ts --url ws://127.0.0.1:PORT/agent/v1/ws \
 *     [--agents 10000] [--concurrency 500] [--interval-ms 5000]      (secret in BENCH_TEMPORARY_SECRET)
 *
 * Prints one JSON object per line on stdout: `{"type":"connected",...}` once every client is welcomed (or has
 * given up), then `{"type":"stats",...}` every 250 ms. Exits when stdin closes (its parent is gone) or on SIGTERM.
 *
 * With `--crawls` the agents also run simulated crawls (bench/sim-crawls.ts) on `--slots` slots each, reporting
 * stats every `--stats-ms` (a line `pause` or `resume` on stdin stops and restarts their reports).
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { createInterface } from 'node:readline';
import WebSocket from 'ws';
import {
  MAX_FRAME_BYTES,
  PROTOCOL_VERSION,
  WS_SUBPROTOCOL,
  handshakeProof,
  verifyServerProof,
} from '@scrapyard/protocol';
import { SimCrawls } from './sim-crawls.js';

const { values: opts } = parseArgs({
  options: {
    url: { type: 'string' },
    agents: { type: 'string', default: '10000' },
    concurrency: { type: 'string', default: '500' },
    'interval-ms': { type: 'string', default: '5000' },
    /** Node ids are `<prefix>-<n>`. */
    prefix: { type: 'string', default: 'sim' },
    /** Run simulated crawls: take jobs, report their stats and logs. */
    crawls: { type: 'boolean', default: false },
    slots: { type: 'string', default: '4' },
    'stats-ms': { type: 'string', default: '1000' },
  },
});
if (!opts.url) throw new Error('--url is required');
const URL_ = opts.url;
const N = Number(opts.agents);
const CONCURRENCY = Number(opts.concurrency);
const INTERVAL = Number(opts['interval-ms']);
const SECRET = Buffer.from(process.env.BENCH_TEMPORARY_SECRET ?? '', 'utf8');
const ATTEMPTS = 3;
const SLOTS = Number(opts.slots);
/** One set of simulated crawls per agent, by index. */
const crawls = new Map<number, SimCrawls>();

const out = (o: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(o)}\n`);

const stats = { welcomed: 0, failed: 0, retried: 0, closed: 0, heartbeats: 0, received: 0, rejected: 0 };
const errors = new Map<string, number>();
const noteError = (what: string) => errors.set(what, (errors.get(what) ?? 0) + 1);
const sockets: WebSocket[] = [];

/** Host metrics as an agent's systeminformation sampler would report them: a mid-sized, moderately busy box. */
function hostMetrics(i: number) {
  const now = Date.now();
  const jitter = (Math.sin(now / 7_000 + i) + 1) / 2;
  return {
    at: now,
    cpuPercent: Math.round((20 + 50 * jitter) * 100) / 100,
    cpus: 8,
    load1: Math.round(2 + 4 * jitter * 100) / 100,
    load5: 2.41,
    load15: 2.17,
    memUsedBytes: 6_000_000_000 + Math.round(2_000_000_000 * jitter),
    memTotalBytes: 16_771_858_432,
    diskUsedBytes: 120_394_752_000 + i,
    diskTotalBytes: 502_468_108_288,
    netRxBytesPerSec: Math.round(1_500_000 * jitter),
    netTxBytesPerSec: Math.round(300_000 * jitter),
  };
}

/** Starts client i's heartbeats on a phase of the global clock, so the N clients are spread over the interval. */
function startHeartbeats(ws: WebSocket, i: number) {
  const phase = (i * INTERVAL) / N;
  const delay = (((phase - (Date.now() % INTERVAL)) % INTERVAL) + INTERVAL) % INTERVAL;
  const beat = () => {
    if (ws.readyState !== WebSocket.OPEN) return;
    const host = hostMetrics(i);
    const sim = crawls.get(i);
    const jobs = sim ? { jobs: sim.jobMetrics() } : {};
    ws.send(JSON.stringify({ type: 'heartbeat', payload: { running: sim?.running ?? 0, at: host.at, host, ...jobs } }));
    stats.heartbeats++;
  };
  const first = setTimeout(() => {
    beat();
    const every = setInterval(beat, INTERVAL);
    ws.once('close', () => clearInterval(every));
  }, delay);
  ws.once('close', () => clearTimeout(first));
}

/** One client: connect, answer the challenge, wait for welcome. Resolves true once welcomed. */
function connect(i: number): Promise<boolean> {
  return new Promise((resolve) => {
    const nodeId = `${opts.prefix}-${i}`;
    const ws = new WebSocket(URL_, WS_SUBPROTOCOL, { maxPayload: MAX_FRAME_BYTES, handshakeTimeout: 30_000 });
    let settled = false;
    const clientNonce = randomBytes(32).toString('hex');
    let serverNonce = '';
    const settle = (ok: boolean, why?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (!ok) {
        noteError(why ?? 'failed');
        ws.terminate();
      }
      resolve(ok);
    };
    const timer = setTimeout(() => settle(false, 'no welcome within 30 s'), 30_000);
    ws.on('message', (data) => {
      stats.received++;
      const sim = crawls.get(i);
      if (settled && !sim) return; // after the handshake: read and ignore everything
      let env: { type?: string; id?: number; payload?: Record<string, unknown> };
      try {
        env = JSON.parse(data.toString()) as typeof env;
      } catch {
        return settle(false, 'non-JSON frame');
      }
      if (settled) return sim?.onFrame(ws, env);
      if (env.type === 'challenge') {
        serverNonce = String(env.payload?.nonce);
        ws.send(
          JSON.stringify({
            type: 'identify',
            payload: { nodeId, protocolVersion: PROTOCOL_VERSION, temporary: true, nonce: clientNonce },
          }),
        );
      } else if (env.type === 'master.proof') {
        if (!verifyServerProof(SECRET, env.payload?.proofs as string[], serverNonce, clientNonce, nodeId)) {
          return settle(false, 'the master could not prove it holds the temporary-node key');
        }
        const timestamp = Date.now();
        ws.send(
          JSON.stringify({
            type: 'hello',
            payload: {
              agentVersion: 'bench-sim',
              timestamp,
              mac: handshakeProof(SECRET, serverNonce, clientNonce, nodeId, timestamp),
              dedicated: false,
              hostname: `${nodeId}.bench.invalid`,
              slots: SLOTS,
              tags: [],
              running: [],
              known: [],
            },
          }),
        );
      } else if (env.type === 'welcome') {
        sockets.push(ws);
        if (opts.crawls) {
          const sim = new SimCrawls({ slots: SLOTS, statsMs: Number(opts['stats-ms']) });
          crawls.set(i, sim);
          ws.on('close', () => sim.stopAll());
        }
        ws.on('close', () => stats.closed++);
        startHeartbeats(ws, i);
        settle(true);
      } else if (env.type === 'rejected') {
        stats.rejected++;
        settle(false, `rejected: ${String(env.payload?.code)} ${String(env.payload?.message)}`);
      }
    });
    ws.on('error', (e) => settle(false, `socket error: ${(e as NodeJS.ErrnoException).code ?? e.message}`));
    ws.on('close', (code) => settle(false, `closed during handshake (${code})`));
  });
}

async function main() {
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(CONCURRENCY, N) }, async () => {
      while (next < N) {
        const i = next++;
        for (let attempt = 1; ; attempt++) {
          if (await connect(i)) {
            stats.welcomed++;
            break;
          }
          if (attempt >= ATTEMPTS) {
            stats.failed++;
            break;
          }
          stats.retried++;
        }
      }
    }),
  );
  const connectMs = performance.now() - t0;
  out({ type: 'connected', connected: stats.welcomed, connectMs, ...stats, errors: Object.fromEntries(errors) });
  setInterval(() => {
    const open = sockets.filter((s) => s.readyState === WebSocket.OPEN).length;
    const sims = [...crawls.values()];
    const crawled = sims.length
      ? {
          crawls: Object.fromEntries(
            (['running', 'started', 'statsSent', 'logLines'] as const).map((k) => [
              k,
              sims.reduce((a, c) => a + c.counts[k], 0),
            ]),
          ),
        }
      : {};
    out({ type: 'stats', open, ...stats, ...crawled, errors: Object.fromEntries(errors) });
  }, 250);
}

process.stdin.on('end', () => process.exit(0));
createInterface({ input: process.stdin }).on('line', (line) => {
  for (const sim of crawls.values()) sim.paused = line.trim() === 'pause';
});
process.on('SIGTERM', () => process.exit(0));
main().catch((e: unknown) => {
  process.stderr.write(`sim-agents: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
