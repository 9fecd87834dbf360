/**
 * Read-only access to a master's SQLite database, for tests that check what is (not) stored. better-sqlite3 is a
 * dependency of the master package, not of the workspace root, so it is loaded from there.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { ROOT } from './agents.js';

interface Statement {
  all(...params: unknown[]): Record<string, unknown>[];
}
interface Database {
  prepare(sql: string): Statement;
  close(): void;
}
type DatabaseCtor = new (file: string, opts: { readonly: boolean; fileMustExist: boolean }) => Database;

const requireFromMaster = createRequire(join(ROOT, 'packages/master/package.json'));

/** Runs one query on `<dataDir>/master.sqlite`, opened read-only. */
export function queryMasterDb(dataDir: string, sql: string, ...params: unknown[]): Record<string, unknown>[] {
  const Ctor = requireFromMaster('better-sqlite3') as DatabaseCtor;
  const db = new Ctor(join(dataDir, 'master.sqlite'), { readonly: true, fileMustExist: true });
  try {
    return db.prepare(sql).all(...params);
  } finally {
    db.close();
  }
}
