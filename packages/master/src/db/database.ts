/**
 * Opens the master database (SQLite in the data dir, or PostgreSQL at `database_url`) and makes sure its schema
 * is current before anything else touches it: migrated at start-up by default, or checked only when migrations
 * are applied separately (`scrapyard-master migrate`, for deployments that forbid DDL at start-up).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Kysely, Migrator, sql } from 'kysely';
import { CatalogueError, type ErrorCode } from '@scrapyard/protocol';
import type { MigrationResult } from 'kysely';
import { openPostgresDialect, openSqliteDialect, redactDatabaseSecrets, redactDatabaseUrl } from './dialect.js';
import type { Dialect } from 'kysely';
import type { StoreKind } from './dialect.js';
import { migrationProvider } from './migrations/index.js';
import type { Database } from './schema.js';

export type Db = Kysely<Database>;

export interface StoreOptions {
  dataDir: string;
  /** Empty: SQLite in the data dir. */
  databaseUrl?: string;
  databasePoolSize?: number;
  /** Idle PostgreSQL connections that fail (server restart) are reported here. */
  onPoolError?: (e: Error) => void;
  /** Told the migrations applied at opening, in order (none: the schema was up to date). */
  onMigrated?: (applied: string[]) => void;
}

export interface SchemaState {
  applied: string[];
  pending: string[];
}

export class DatabaseError extends CatalogueError {
  declare readonly code: Extract<ErrorCode, `DATABASE_${string}`>;
  constructor(code: Extract<ErrorCode, `DATABASE_${string}`>, message: string) {
    // The code leads the message: every place that prints it (start-up, `migrate`) shows what to act on.
    super(code, `${code}: ${message}`);
  }
}

/** Which store the options name and where it is, safe to log (no password). */
export function storeLocation(o: StoreOptions): { store: StoreKind; database: string } {
  return o.databaseUrl
    ? { store: 'postgres', database: redactDatabaseUrl(o.databaseUrl) }
    : { store: 'sqlite', database: join(o.dataDir, 'master.sqlite') };
}

async function openDialect(o: StoreOptions): Promise<Dialect> {
  const url = o.databaseUrl;
  if (url) {
    const onError = o.onPoolError ?? (() => {});
    // A driver's message may quote what it was given: never let the URL's password reach the log through it.
    return openPostgresDialect(url, o.databasePoolSize ?? 10, (e) => {
      e.message = redactDatabaseSecrets(e.message, url);
      if (e.stack) e.stack = redactDatabaseSecrets(e.stack, url);
      onError(e);
    });
  }
  mkdirSync(o.dataDir, { recursive: true, mode: 0o700 });
  return openSqliteDialect(storeLocation(o).database);
}

/** Opens the store without touching its schema. */
async function connect(o: StoreOptions): Promise<Db> {
  const db = new Kysely<Database>({ dialect: await openDialect(o) });
  try {
    await db.selectNoFrom((eb) => eb.lit(1).as('one')).execute();
  } catch (e) {
    await db.destroy().catch(() => {});
    const where = storeLocation(o).database;
    const why = o.databaseUrl ? redactDatabaseSecrets(describe(e), o.databaseUrl) : describe(e);
    throw new DatabaseError('DATABASE_UNAVAILABLE', `cannot reach the database at ${where}: ${why}`);
  }
  return db;
}

function describe(e: unknown): string {
  if (e instanceof AggregateError && e.errors.length > 0) return describe(e.errors[0]);
  return e instanceof Error ? e.message : String(e);
}

const migratorOf = (db: Db) => new Migrator({ db, provider: migrationProvider });

/**
 * A database that a newer release migrated holds migration names this one does not know: refused as such, before
 * kysely would call it "corrupted migrations", since the fix is a backup or the newer release, not repair.
 */
async function refuseNewerSchema(db: Db, where: string): Promise<void> {
  let recorded: string[];
  try {
    const rows = await sql<{ name: string }>`select name from kysely_migration`.execute(db);
    recorded = rows.rows.map((r) => r.name);
  } catch {
    return; // No migration table yet: a new database.
  }
  const known = new Set(Object.keys(await migrationProvider.getMigrations()));
  const unknown = recorded.filter((name) => !known.has(name)).sort();
  if (unknown.length === 0) return;
  throw new DatabaseError(
    'DATABASE_FROM_NEWER_RELEASE',
    `the database at ${where} was written by a newer Scrapyard (migration ${unknown.join(', ')} unknown); downgrade is not supported: restore a backup or run the newer release`,
  );
}

/** Applies every pending migration; on PostgreSQL, masters starting together take turns (kysely's lock). */
export async function migrate(db: Db): Promise<MigrationResult[]> {
  const { error, results = [] } = await migratorOf(db).migrateToLatest();
  if (error) {
    const failed = results.find((r) => r.status === 'Error')?.migrationName;
    throw new DatabaseError(
      'DATABASE_MIGRATION_FAILED',
      `database migration ${failed ?? ''} failed: ${describe(error)}`.replace('  ', ' '),
    );
  }
  return results;
}

export async function schemaState(db: Db): Promise<SchemaState> {
  const all = await migratorOf(db).getMigrations();
  return {
    applied: all.filter((m) => m.executedAt !== undefined).map((m) => m.name),
    pending: all.filter((m) => m.executedAt === undefined).map((m) => m.name),
  };
}

/**
 * The master's database, schema current. With `autoMigrate` off, an outdated schema is refused (the master must
 * not run queries against tables it does not know), naming the migrations to apply.
 */
export async function openDatabase(o: StoreOptions & { autoMigrate?: boolean }): Promise<Db> {
  const db = await connect(o);
  try {
    await refuseNewerSchema(db, storeLocation(o).database);
    if (o.autoMigrate ?? true) {
      const results = await migrate(db);
      o.onMigrated?.(results.filter((r) => r.status === 'Success').map((r) => r.migrationName));
    } else {
      const { pending } = await schemaState(db);
      if (pending.length > 0) {
        throw new DatabaseError(
          'DATABASE_SCHEMA_OUTDATED',
          `the database schema is behind this master (pending: ${pending.join(', ')}); run \`scrapyard-master migrate\` or set auto_migrate = on`,
        );
      }
    }
  } catch (e) {
    await db.destroy().catch(() => {});
    throw e;
  }
  return db;
}

/** For `scrapyard-master migrate`: opens the store, applies what is pending, and says what it did. */
export async function migrateStore(o: StoreOptions): Promise<{ where: string; applied: string[]; current: string[] }> {
  const db = await connect(o);
  try {
    await refuseNewerSchema(db, storeLocation(o).database);
    const results = await migrate(db);
    return {
      where: storeLocation(o).database,
      applied: results.filter((r) => r.status === 'Success').map((r) => r.migrationName),
      current: (await schemaState(db)).applied,
    };
  } finally {
    await db.destroy();
  }
}
