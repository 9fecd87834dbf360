/**
 * A job history in bulk, as the job service leaves it (finished jobs over projects × spiders, then some running
 * and pending), for the jobs list's plan test and the benches that need a big table (bench/jobs-list.ts,
 * bench/metrics.ts). Inserted directly, 1,000 rows a statement, in one transaction.
 */
import { sql } from 'kysely';
import type { Db } from '../../database.js';

export interface HistoryShape {
  finished: number;
  running?: number;
  pending?: number;
  projects?: number;
  spiders?: number;
  nodes?: number;
  /** Time of the first job (one per second after it). */
  since?: number;
}

const OUTCOMES = ['succeeded', 'succeeded', 'succeeded', 'failed', 'cancelled'];
const BATCH = 1_000;

export async function insertJobHistory(db: Db, s: HistoryShape): Promise<void> {
  const { projects = 20, spiders = 10, nodes = 1_000, running = 0, pending = 0 } = s;
  const total = s.finished + running + pending;
  const t0 = s.since ?? Date.now() - total * 1_000;
  await db.transaction().execute(async (trx) => {
    for (let i = 0; i < total; i += BATCH) {
      const rows = [];
      for (let j = i; j < Math.min(total, i + BATCH); j++) {
        const created = t0 + j * 1_000;
        const state = j < s.finished ? 'finished' : j < s.finished + running ? 'running' : 'pending';
        const started = state === 'pending' ? null : created + 200;
        rows.push({
          run_id: j.toString(16).padStart(32, '0'),
          job_id: `job-${j}`,
          project: `project${j % projects}`,
          spider: `spider${j % spiders}`,
          version_requested: null,
          version: state === 'pending' ? null : '1',
          settings: '[]',
          args: '[]',
          priority: 0,
          state: state as 'finished' | 'running' | 'pending',
          node_id: state === 'pending' ? null : `sim-${j % nodes}`,
          pid: started === null ? null : 1000 + (j % 30_000),
          created_at: created,
          started_at: started,
          ended_at: state === 'finished' ? created + 60_000 : null,
          exit_code: state === 'finished' ? 0 : null,
          signal: null,
          outcome: state === 'finished' ? OUTCOMES[j % OUTCOMES.length]! : null,
          reason: null,
          cancel_count: 0,
          cancel_signal: null,
          tags: j % 7 === 0 ? '["gpu"]' : '[]',
        });
      }
      await trx.insertInto('jobs').values(rows).execute();
    }
  });
  // Statistics, as a database that has lived a while has them (PostgreSQL's autovacuum, SQLite's optimize).
  await sql`analyze`.execute(db);
}
