/**
 * Fire precision (run from bench/run.ts): N schedules (default 1,000) each firing once a minute on a seconds cron,
 * staggered over the minute, against a master whose only slot is held by a long crawl (the jobs stay pending, so
 * the scheduler and the queue are what is measured). Delay = the job's `created_at` minus the fire's scheduled
 * time, from the master's own database. Every schedule's ledger is checked against the fire times it should
 * have: none missed, none doubled, one job per fire.
 *
 * The baseline, in the same run: the same fire times as plain `setTimeout`s in this process (the lateness of the
 * Node timer itself on this machine, under the same load).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createRequire } from 'node:module';
import { ROOT, deploy, get, median, post, startMaster, stop, waitFor } from './lib.js';

type Row = Record<string, unknown>;
type Sqlite = new (
  file: string,
  o: { readonly: boolean },
) => {
  prepare(sql: string): { all(...p: unknown[]): Row[] };
  close(): void;
};

/** One read-only query on the master's SQLite file (better-sqlite3 is the master package's dependency). */
function queryMasterDb(dataDir: string, sql: string, ...params: unknown[]): Row[] {
  const Ctor = createRequire(join(ROOT, 'packages/master/package.json'))('better-sqlite3') as Sqlite;
  const db = new Ctor(join(dataDir, 'master.sqlite'), { readonly: true });
  try {
    return db.prepare(sql).all(...params);
  } finally {
    db.close();
  }
}

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

async function api(url: string, token: string, method: string, path: string, body?: unknown) {
  const r = await fetch(`${url}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const json = (await r.json()) as Record<string, unknown>;
  if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(json)}`);
  return json;
}

/** Lateness of bare timers for the same fire times (ms). */
async function timerBaseline(times: number[]): Promise<number[]> {
  const late: number[] = [];
  await Promise.all(
    times.map(
      (at) =>
        new Promise<void>((resolve) => {
          setTimeout(
            () => {
              late.push(Date.now() - at);
              resolve();
            },
            Math.max(0, at - Date.now()),
          );
        }),
    ),
  );
  return late;
}

export async function firePrecision(o: { schedules: number; minutes: number }) {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-fire-'));
  const m = await startMaster(dataDir, { SCRAPYARD_MAX_PROC: '1', SCRAPYARD_MAX_SCHEDULES: String(o.schedules) });
  try {
    await deploy(m.url);
    await post(m.url, 'schedule.json', { project: 'demo', spider: 'slow', seconds: '900' });
    await waitFor(async () => (await get(m.url, 'daemonstatus.json')).running === 1, 60_000, 'blocker to run');
    const token = readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();
    const ids: string[] = [];
    for (let i = 0; i < o.schedules; i++) {
      const s = await api(m.url, token, 'POST', '/schedules', {
        project: 'demo',
        spider: 'quick',
        cron: `${i % 60} * * * * *`,
        overlap: 'allow',
      });
      ids.push(String(s.id));
    }
    // Measure whole minutes starting at the next minute boundary.
    const from = Math.ceil((Date.now() + 2_000) / 60_000) * 60_000;
    const to = from + o.minutes * 60_000;
    const firesOf = (i: number) => Array.from({ length: o.minutes }, (_, k) => from + k * 60_000 + (i % 60) * 1000);
    const expected = ids.flatMap((_, i) => firesOf(i));
    const baseline = timerBaseline(expected);
    await sleep(to - Date.now() + 3_000);
    const bare = await baseline;
    for (const id of ids) await api(m.url, token, 'POST', `/schedules/${id}/pause`);
    const rows = queryMasterDb(
      dataDir,
      `SELECT f.schedule_id, f.scheduled_at, f.status, j.created_at, j.schedule_id AS job_schedule
         FROM schedule_fires f LEFT JOIN jobs j ON j.job_id = f.job_id
        WHERE f.scheduled_at >= ? AND f.scheduled_at < ?`,
      from,
      to,
    );
    const seen = new Map<string, number>();
    for (const r of rows) {
      const key = `${String(r.schedule_id)} ${Number(r.scheduled_at)}`;
      seen.set(key, (seen.get(key) ?? 0) + 1);
    }
    const want = new Set(ids.flatMap((id, i) => firesOf(i).map((at) => `${id} ${at}`)));
    const missed = [...want].filter((k) => !seen.has(k)).length;
    const doubled =
      [...seen.values()].filter((n) => n > 1).length + [...seen.keys()].filter((k) => !want.has(k)).length;
    const jobless = rows.filter((r) => r.status !== 'queued' || r.created_at === null).length;
    const jobsPerFire = queryMasterDb(
      dataDir,
      `SELECT COUNT(*) AS n FROM jobs j JOIN schedule_fires f ON f.job_id = j.job_id
        WHERE f.scheduled_at >= ? AND f.scheduled_at < ?`,
      from,
      to,
    )[0]!.n;
    const delays = rows.filter((r) => r.created_at !== null).map((r) => Number(r.created_at) - Number(r.scheduled_at));
    return {
      fires: rows.length,
      expected: expected.length,
      missed,
      doubled: doubled + Math.max(0, Number(jobsPerFire) - rows.length),
      jobless,
      median: median(delays),
      p99: percentile(delays, 99),
      max: Math.max(...delays),
      bareMedian: median(bare),
      bareP99: percentile(bare, 99),
    };
  } finally {
    await stop(m);
    rmSync(dataDir, { recursive: true, force: true });
  }
}
