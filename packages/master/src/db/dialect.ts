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

export function openSqliteDialect(file: string): OpenedDialect {
  const db = new Sqlite(file);
  // WAL + NORMAL: a committed transaction survives a kill -9 of the process (the WAL is in the OS page cache);
  // only an OS crash could lose the last few, which FULL would cost 3× the write rate to prevent.
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  return { dialect: new SqliteDialect({ database: db }), close: () => db.close() };
}
