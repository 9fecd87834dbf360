/**
 * The floor for schedule.json on PostgreSQL: what a bare `pg` client achieves inserting the same jobs rows, one
 * transaction per request, over 16 connections, for the same time. Run in its own process (like autocannon) so
 * it never shares an event loop with the bench.
 * Usage: tsx bench/pg-floor.ts <database url> <seconds>   → prints {"rps":…,"p99":…,"inserted":…} on stdout
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';

const [url, secondsArg] = process.argv.slice(2);
if (!url || !secondsArg) throw new Error('usage: pg-floor.ts <database url> <seconds>');
const CONNECTIONS = 16;
const until = Date.now() + Number(secondsArg) * 1000;

// The row schedule.json writes (jobs repo toInsert), with parameters, as the master's driver sends it.
const INSERT = `insert into "jobs" ("run_id", "job_id", "project", "spider", "version_requested", "version", "settings",
  "args", "priority", "state", "node_id", "pid", "created_at", "started_at", "ended_at", "exit_code", "signal",
  "outcome", "reason", "cancel_count", "cancel_signal", "tags")
  values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22)`;

async function worker(latencies: number[]): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    while (Date.now() < until) {
      const run = randomUUID().replaceAll('-', '');
      const t0 = performance.now();
      await client.query(INSERT, [
        run,
        run,
        'demo',
        'quick',
        null,
        null,
        '[]',
        '[["arg","x"]]',
        0,
        'pending',
        null,
        null,
        Date.now(),
        null,
        null,
        null,
        null,
        null,
        null,
        0,
        null,
        '[]',
      ]);
      latencies.push(performance.now() - t0);
    }
  } finally {
    await client.end();
  }
}

const latencies: number[] = [];
const started = performance.now();
await Promise.all(Array.from({ length: CONNECTIONS }, () => worker(latencies)));
const elapsedS = (performance.now() - started) / 1000;
latencies.sort((a, b) => a - b);
const p99 = latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * 0.99))] ?? 0;
process.stdout.write(`${JSON.stringify({ rps: latencies.length / elapsedS, p99, inserted: latencies.length })}\n`);
