/**
 * The one place that knows the database is SQLite: opening the file, its pragmas, and the kysely dialect.
 * A PostgreSQL adapter later implements the same `openDialect` and nothing else changes.
 */
import Sqlite from 'better-sqlite3';
import { SqliteDialect } from 'kysely';
import type { Dialect } from 'kysely';

export interface OpenedDialect {
  dialect: Dialect;
  /** Closes the underlying handle (kysely's destroy does it too; this is for failure paths). */
  close(): void;
}

/** Statements kept prepared; kysely's queries are a small fixed set, so this bound is never reached in practice. */
const STATEMENT_CACHE_MAX = 500;

/**
 * kysely's SQLite driver prepares every statement anew, which costs more than running it on hot paths
 * (schedule.json inserts, dispatch). better-sqlite3 statements are reusable and this driver never runs two
 * at once on one connection, so a cache keyed by SQL text is safe and invisible to the queries.
 */
function withStatementCache(db: Sqlite.Database): Sqlite.Database {
  const cache = new Map<string, Sqlite.Statement>();
  const prepare = db.prepare.bind(db);
  db.prepare = ((sql: string) => {
    let stmt = cache.get(sql);
    if (!stmt) {
      if (cache.size >= STATEMENT_CACHE_MAX) cache.clear();
      stmt = prepare(sql);
      cache.set(sql, stmt);
    }
    return stmt;
  }) as typeof db.prepare;
  return db;
}

export function openSqliteDialect(file: string): OpenedDialect {
  const db = new Sqlite(file);
  // WAL + NORMAL: a committed transaction survives a kill -9 of the process (the WAL is in the OS page cache);
  // only an OS crash could lose the last few, which FULL would cost 3× the write rate to prevent.
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  return { dialect: new SqliteDialect({ database: withStatementCache(db) }), close: () => db.close() };
}
