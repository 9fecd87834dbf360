/**
 * Writes to a stopped master's SQLite database, for tests that set up state a running master would take long to
 * reach (e.g. metrics from hours ago). Never use it on a running master.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { ROOT } from './agents.js';

interface Statement {
  run(...params: unknown[]): unknown;
}
interface Database {
  prepare(sql: string): Statement;
  transaction(fn: () => void): () => void;
  close(): void;
}
type DatabaseCtor = new (file: string, opts: { fileMustExist: boolean }) => Database;

const requireFromMaster = createRequire(join(ROOT, 'packages/master/package.json'));

/** Runs one statement per parameter list on `<dataDir>/master.sqlite`, in one transaction. */
export function writeMasterDb(dataDir: string, sql: string, rows: unknown[][]): void {
  const Ctor = requireFromMaster('better-sqlite3') as DatabaseCtor;
  const db = new Ctor(join(dataDir, 'master.sqlite'), { fileMustExist: true });
  try {
    const stmt = db.prepare(sql);
    db.transaction(() => {
      for (const params of rows) stmt.run(...params);
    })();
  } finally {
    db.close();
  }
}
