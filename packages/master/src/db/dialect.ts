/**
 * The one place that knows which database engine holds the master's state: opening SQLite (a file in the data
 * dir) or PostgreSQL (`database_url`), and the few things the two spell differently (an auto-incrementing key,
 * row locks). Everything else is kysely's portable query builder, so every query runs on both.
 */
import { closeSync, openSync } from 'node:fs';
import Sqlite from 'better-sqlite3';
import type pg from 'pg';
import { PostgresAdapter, PostgresDialect, SqliteDialect, sql } from 'kysely';
import type { ColumnDefinitionBuilder, Dialect, Kysely, SelectQueryBuilder } from 'kysely';

export type StoreKind = 'sqlite' | 'postgres';

/** Statements kept prepared; kysely's queries are a small fixed set, so this bound is never reached in practice. */
const STATEMENT_CACHE_MAX = 500;
/** SQLite's page cache, KiB. */
const SQLITE_CACHE_KIB = 2_000;

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

export function openSqliteDialect(file: string): Dialect {
  // Owner-only before SQLite opens it: the WAL and shared-memory files it creates copy the database's mode.
  closeSync(openSync(file, 'a', 0o600));
  const db = new Sqlite(file);
  // WAL + NORMAL: a committed transaction survives a kill -9 of the process (the WAL is in the OS page cache);
  // only an OS crash could lose the last few, which FULL would cost 3× the write rate to prevent.
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  // SQLite's own default page cache (2 MB). better-sqlite3 builds SQLite with 16 MB, which the host samples'
  // index fills within minutes on a large cluster (bench agents10k: 7 MB more RSS within a minute, and rising);
  // the pages it would keep are in the OS page cache anyway, a read away.
  db.pragma(`cache_size = -${SQLITE_CACHE_KIB}`);
  return new SqliteDialect({ database: withStatementCache(db) });
}

const INT8_OID = 20;

/**
 * Times (epoch milliseconds), sizes and counts are `bigint` columns: pg returns those as strings so that no
 * value beyond 2^53 is rounded. Ours never get there (a millisecond clock reaches 2^53 in the year 287396), so
 * they are numbers, as SQLite returns them, and a value that would be rounded is an error rather than a wrong
 * number.
 */
function parseInt8(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new RangeError(`database value ${text} is beyond 2^53`);
  return n;
}

const pgTypesOf = (types: typeof pg.types) => ({
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID && format !== 'binary'
      ? parseInt8
      : types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
});

/**
 * Query parameters of a connection URL that hold a secret (libpq and node-postgres read `password` and
 * `sslpassword` there, and a name that merely contains "password" or "secret" is treated as one too).
 */
const isSecretParam = (name: string) => /pass|secret/i.test(name);

/** The secrets a database URL carries: its userinfo password and its password query parameters, raw and decoded. */
function secretsOf(url: string): string[] {
  if (!URL.canParse(url)) return [];
  const u = new URL(url);
  const out: string[] = [];
  const add = (raw: string, decoded: string) => {
    for (const v of [raw, decoded]) if (v !== '' && !out.includes(v)) out.push(v);
  };
  if (u.password !== '') add(u.password, safeDecode(u.password));
  for (const part of u.search.replace(/^\?/, '').split('&')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = safeDecode(part.slice(0, eq));
    if (isSecretParam(name)) add(part.slice(eq + 1), safeDecode(part.slice(eq + 1).replace(/\+/g, ' ')));
  }
  // Longest first, so a secret that contains another is replaced whole.
  return out.sort((a, b) => b.length - a.length);
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** `postgres://user:***@host:port/db?sslpassword=***`, for logs: the password wherever the URL carries one. */
export function redactDatabaseUrl(url: string): string {
  if (!URL.canParse(url)) return '(unparseable database_url)';
  const u = new URL(url);
  if (u.password !== '') u.password = '***';
  for (const name of new Set(u.searchParams.keys())) if (isSecretParam(name)) u.searchParams.set(name, '***');
  return u.toString();
}

/** `text` (a driver's error message, say) with every secret of the database URL replaced by `***`. */
export function redactDatabaseSecrets(text: string, url: string): string {
  let out = text;
  for (const secret of secretsOf(url)) out = out.split(secret).join('***');
  return out;
}

export async function openPostgresDialect(
  url: string,
  poolSize: number,
  onError: (e: Error) => void,
): Promise<Dialect> {
  // Loaded only when database_url names PostgreSQL: a SQLite master never holds the driver (~3 MB RSS).
  const { default: pg } = await import('pg');
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    types: pgTypesOf(pg.types),
    // A server that does not answer is reported, not waited on forever.
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 60_000,
    application_name: 'scrapyard-master',
  });
  // A connection the server drops (restart, failover, pg_terminate_backend) emits 'error': on the pool while idle,
  // on the client itself while checked out (its query fails too). Unheard, either would crash the master.
  pool.on('error', onError);
  pool.on('connect', (client) => client.on('error', onError));
  return new PostgresDialect({ pool });
}

// Kysely<any>: migrations hold a Kysely<unknown>, repositories a Kysely<Database>.
/* eslint-disable @typescript-eslint/no-explicit-any */
export function storeKindOf(db: Kysely<any>): StoreKind {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
}

/** An auto-incrementing integer primary key: `integer … autoincrement` in SQLite, `bigserial` in PostgreSQL. */
export function serialKey(
  db: Kysely<any>,
): ['integer' | 'bigserial', (c: ColumnDefinitionBuilder) => ColumnDefinitionBuilder] {
  return storeKindOf(db) === 'postgres'
    ? ['bigserial', (c) => c.primaryKey()]
    : ['integer', (c) => c.primaryKey().autoIncrement()];
}

/**
 * Locks the selected rows until the transaction ends. PostgreSQL runs transactions side by side, so a read that
 * a later write depends on must hold its rows; SQLite runs one transaction at a time (kysely's driver holds the
 * connection for its whole length), so there is nothing to lock.
 */
export function forUpdate<DB, TB extends keyof DB, O>(
  db: Kysely<any>,
  q: SelectQueryBuilder<DB, TB, O>,
): SelectQueryBuilder<DB, TB, O> {
  return storeKindOf(db) === 'postgres' ? q.forUpdate() : q;
}

/**
 * `column` contains `needle` as is (case-sensitive, no wildcards): SQLite's `instr`, PostgreSQL's `strpos` (LIKE
 * is case-insensitive on SQLite and would need escaping).
 */
export function containsText(db: Kysely<any>, column: string, needle: string) {
  const fn = storeKindOf(db) === 'postgres' ? 'strpos' : 'instr';
  return sql<boolean>`${sql.raw(fn)}(${sql.ref(column)}, ${needle}) > 0`;
}
/* eslint-enable @typescript-eslint/no-explicit-any */
