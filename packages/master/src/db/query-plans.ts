/**
 * What the database means to do with a query: SQLite's `EXPLAIN QUERY PLAN` or PostgreSQL's `EXPLAIN`, as lines,
 * and which of them read a whole table. The jobs list's plan test and bench/jobs-list.ts use it, so a change that
 * makes a page scan the jobs table fails a test instead of slowing the UI at 100,000 jobs.
 */
import { CompiledQuery, type Compilable } from 'kysely';
import type { Db } from './database.js';
import { storeKindOf } from './dialect.js';

export async function explain(db: Db, query: Compilable): Promise<string[]> {
  const c = query.compile();
  const pg = storeKindOf(db) === 'postgres';
  const r = await db.executeQuery<Record<string, unknown>>(
    CompiledQuery.raw(`${pg ? 'explain' : 'explain query plan'} ${c.sql}`, [...c.parameters]),
  );
  return r.rows.map((x) => String(pg ? x['QUERY PLAN'] : x.detail));
}

/**
 * The lines that read `table` whole: SQLite `SCAN <table>` without an index, PostgreSQL `Seq Scan on <table>`.
 * (A range of the primary key or an index is SQLite `SEARCH`, PostgreSQL `Index Scan`.)
 */
export function tableScans(plan: readonly string[], table: string): string[] {
  const sqlite = new RegExp(`^SCAN ${table}( |$)(?!.*USING)`);
  const pg = new RegExp(`Seq Scan on ${table}\\b`);
  return plan.filter((l) => sqlite.test(l.trim()) || pg.test(l));
}
