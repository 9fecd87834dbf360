/**
 * Reads and writes a master's database directly, on whichever store its data dir's masters use: the SQLite file,
 * or the PostgreSQL database startMaster gave them. SQL is written once, portable, with `?` placeholders.
 */
import { pgQuery, pgTransaction } from './postgres.js';
import { databaseFor } from './processes.js';
import { writeMasterDb } from './sqlite-write.js';
import { queryMasterDb } from './sqlite.js';

/** `?` → `$1, $2, …` (our test SQL has no `?` inside literals). */
const numbered = (sql: string) => {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
};

/** Runs one query; on SQLite the file is opened read-only. */
export async function queryMaster(
  dataDir: string,
  sql: string,
  ...params: unknown[]
): Promise<Record<string, unknown>[]> {
  const url = databaseFor(dataDir);
  return url === undefined ? queryMasterDb(dataDir, sql, ...params) : pgQuery(url, numbered(sql), params);
}

/** Runs one statement per parameter list, in one transaction. Only on a stopped master. */
export async function writeMaster(dataDir: string, sql: string, rows: unknown[][]): Promise<void> {
  const url = databaseFor(dataDir);
  if (url === undefined) return writeMasterDb(dataDir, sql, rows);
  await pgTransaction(
    url,
    rows.map((params) => [numbered(sql), params]),
  );
}
