/**
 * The UI's jobs list at 100,000 jobs (issue 19's budget: first and next page ≤ 100 ms each, no query that scans
 * the table), on SQLite and on a throwaway PostgreSQL. The history (finished jobs over 20 projects × 10 spiders,
 * plus running and pending ones) is inserted in bulk through the master's own migrations before it starts
 * (job-history.test-support.ts, then ANALYZE). For each common page the query's plan is printed (SQLite
 * `EXPLAIN QUERY PLAN`, PostgreSQL `EXPLAIN`) with any full scan of `jobs` flagged, then a real master (no agent)
 * serves `GET /api/v1/jobs?limit=100…` over HTTP: the first page, then the page after its `nextCursor`, `rounds`
 * times each; medians and p99 are client-side (request → last body byte).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPostgres } from '../scripts/pg-server.mjs';
import { openDatabase } from '../packages/master/src/db/database.js';
import { explain, tableScans } from '../packages/master/src/db/query-plans.js';
import { pageQuery, type PageQuery } from '../packages/master/src/db/repos/jobs/list-page.js';
import { insertJobHistory } from '../packages/master/src/db/repos/jobs/job-history.test-support.js';
import { median, startMaster, stop, type Master } from './lib.js';

/** Each page: its REST query string and the repository filter it becomes (for EXPLAIN). */
const PAGES: { name: string; query: string; filter: Omit<PageQuery, 'limit' | 'before'> }[] = [
  { name: 'all jobs', query: '', filter: {} },
  { name: 'by project', query: 'project=project3', filter: { project: 'project3' } },
  {
    name: 'by project and spider',
    query: 'project=project3&spider=spider3',
    filter: { project: 'project3', spider: 'spider3' },
  },
  { name: 'by state (finished)', query: 'state=finished', filter: { states: ['finished'] } },
  { name: 'by states (pending, running)', query: 'state=pending,running', filter: { states: ['pending', 'running'] } },
  { name: 'failures', query: 'outcome=failed', filter: { outcome: 'failed' } },
];
const LIMIT = 100;

export interface JobsListTiming {
  store: 'sqlite' | 'postgres';
  page: string;
  first: { median: number; p99: number };
  next: { median: number; p99: number };
  /** Plan lines that scan the jobs table (first or next page). */
  scans: string[];
}

const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? NaN;

async function timedGet(url: string): Promise<{ ms: number; body: { jobs: unknown[]; nextCursor: string | null } }> {
  const t0 = performance.now();
  const r = await fetch(url);
  const text = await r.text();
  const ms = performance.now() - t0;
  if (r.status !== 200) throw new Error(`${url} answered ${r.status}: ${text.slice(0, 300)}`);
  return { ms, body: JSON.parse(text) as { jobs: unknown[]; nextCursor: string | null } };
}

async function oneStore(
  store: 'sqlite' | 'postgres',
  databaseUrl: string,
  o: { jobs: number; rounds: number },
): Promise<JobsListTiming[]> {
  const dataDir = mkdtempSync(join(tmpdir(), `bench-jobs-list-${store}-`));
  let master: Master | undefined;
  try {
    const db = await openDatabase({ dataDir, databaseUrl });
    const scans = new Map<string, string[]>();
    try {
      await insertJobHistory(db, { finished: o.jobs, running: 50, pending: 200 });
      for (const p of PAGES) {
        const found: string[] = [];
        for (const [which, before] of [
          ['first', undefined],
          ['next', Math.floor(o.jobs / 2)],
        ] as const) {
          const plan = await explain(db, pageQuery(db, { ...p.filter, before, limit: LIMIT })!);
          const bad = tableScans(plan, 'jobs');
          found.push(...bad);
          console.log(`-- ${store}, ${p.name}, ${which} page${bad.length ? '   <<< FULL SCAN OF jobs' : ''}`);
          for (const l of plan) console.log(`   ${l}`);
        }
        scans.set(p.name, found);
      }
    } finally {
      await db.destroy();
    }
    master = await startMaster(
      dataDir,
      // Keep the history (start-up trims finished jobs to this).
      {
        SCRAPYARD_FINISHED_TO_KEEP: String(o.jobs * 2),
        ...(databaseUrl ? { SCRAPYARD_DATABASE_URL: databaseUrl } : {}),
      },
      ['--no-local-agent'],
    );
    const out: JobsListTiming[] = [];
    for (const p of PAGES) {
      const first: number[] = [];
      const next: number[] = [];
      const base = `${master.url}/api/v1/jobs?limit=${LIMIT}${p.query ? `&${p.query}` : ''}`;
      await timedGet(base); // warm: the statement cache, the connection
      for (let i = 0; i < o.rounds; i++) {
        const a = await timedGet(base);
        first.push(a.ms);
        if (a.body.nextCursor === null) throw new Error(`${p.name}: a first page without a next one`);
        next.push((await timedGet(`${base}&cursor=${a.body.nextCursor}`)).ms);
      }
      out.push({
        store,
        page: p.name,
        first: { median: median(first), p99: pct(first, 99) },
        next: { median: median(next), p99: pct(next, 99) },
        scans: scans.get(p.name) ?? [],
      });
    }
    return out;
  } finally {
    if (master) await stop(master);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function jobsList(o: { jobs: number; rounds: number }): Promise<JobsListTiming[]> {
  const sqlite = await oneStore('sqlite', '', o);
  const server = await startPostgres();
  try {
    return [...sqlite, ...(await oneStore('postgres', await server.createDatabase(), o))];
  } finally {
    await server.stop();
  }
}

export function jobsListRows(results: JobsListTiming[], jobs: number): [string, string, string, string, string][] {
  const n = jobs.toLocaleString('en-US');
  return results.map((r) => [
    `GET /api/v1/jobs ${r.page}, ${n} jobs, ${r.store} (ms)`,
    `first ${r.first.median.toFixed(1)} (p99 ${r.first.p99.toFixed(1)})`,
    `next ${r.next.median.toFixed(1)} (p99 ${r.next.p99.toFixed(1)})`,
    r.scans.length === 0 ? 'no table scan' : `${r.scans.length} TABLE SCAN(S)`,
    '≤ 100 each',
  ]);
}
