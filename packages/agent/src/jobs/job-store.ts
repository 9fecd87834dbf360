/**
 * The agent's own SQLite: every run it holds, and an outbox of job events the master has not acknowledged.
 * A transition is written here before the master hears of it, so an agent or master restart loses nothing.
 * This store is local to one machine and never moves to another database, so it uses better-sqlite3 directly
 * (synchronous writes keep "persist, then send" trivially ordered).
 */
import Sqlite from 'better-sqlite3';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { JobSpec, type JobEvent, type Stream } from '@scrapyard/protocol';

/**
 * preparing: fetching the egg / building the venv; no process yet.
 * running:   the crawl process exists (pid, proc_start identify it across agent restarts).
 * finished:  the process ended; its event sits in the outbox and its files may still be shipping.
 */
export type RunState = 'preparing' | 'running' | 'finished';

export interface RunRecord {
  runId: string;
  spec: JobSpec;
  state: RunState;
  pid: number | null;
  procStart: string | null;
  startedAt: number | null;
  logAcked: number;
  itemsAcked: number;
  logSize: number | null;
  itemsSize: number | null;
  finishSeq: number | null;
}

interface RunRow {
  run_id: string;
  spec: string;
  state: RunState;
  pid: number | null;
  proc_start: string | null;
  started_at: number | null;
  log_acked: number;
  items_acked: number;
  log_size: number | null;
  items_size: number | null;
  finish_seq: number | null;
}

/** Specs never change once stored; parsing (and validating) each once keeps the shipper's tick cheap. */
const specCache = new Map<string, JobSpec>();
function specOf(r: RunRow): JobSpec {
  let spec = specCache.get(r.run_id);
  if (!spec) {
    spec = JobSpec.parse(JSON.parse(r.spec));
    specCache.set(r.run_id, spec);
  }
  return spec;
}

const toRecord = (r: RunRow): RunRecord => ({
  runId: r.run_id,
  spec: specOf(r),
  state: r.state,
  pid: r.pid,
  procStart: r.proc_start,
  startedAt: r.started_at,
  logAcked: r.log_acked,
  itemsAcked: r.items_acked,
  logSize: r.log_size,
  itemsSize: r.items_size,
  finishSeq: r.finish_seq,
});

export class JobStore {
  readonly #db: Sqlite.Database;
  /** Statements prepared once: the shipper and the event path run these several times a second. */
  readonly #stmt: Record<string, Sqlite.Statement>;

  constructor(dataDir: string) {
    mkdirSync(dataDir, { recursive: true });
    const file = join(dataDir, 'agent.sqlite');
    // Owner-only before SQLite opens it: the WAL and shared-memory files it creates copy the database's mode.
    closeSync(openSync(file, 'a', 0o600));
    this.#db = new Sqlite(file);
    this.#db.pragma('journal_mode = WAL');
    // Databases from before this rule: tighten them and their journal files too.
    for (const f of [file, `${file}-wal`, `${file}-shm`]) if (existsSync(f)) chmodSync(f, 0o600);
    this.#db.pragma('synchronous = NORMAL');
    this.#db.exec(`
      CREATE TABLE IF NOT EXISTS runs (
        run_id TEXT PRIMARY KEY, spec TEXT NOT NULL, state TEXT NOT NULL, pid INTEGER, proc_start TEXT,
        started_at INTEGER, log_acked INTEGER NOT NULL DEFAULT 0, items_acked INTEGER NOT NULL DEFAULT 0,
        log_size INTEGER, items_size INTEGER, finish_seq INTEGER, created_at INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, event TEXT NOT NULL);
    `);
    const p = (sql: string) => this.#db.prepare(sql);
    this.#stmt = {
      add: p('INSERT OR IGNORE INTO runs (run_id, spec, state, created_at) VALUES (?, ?, ?, ?)'),
      get: p('SELECT * FROM runs WHERE run_id = ?'),
      all: p('SELECT * FROM runs ORDER BY created_at'),
      started: p("UPDATE runs SET state = 'running', pid = ?, proc_start = ?, started_at = ? WHERE run_id = ?"),
      finished: p("UPDATE runs SET state = 'finished', log_size = ?, items_size = ?, finish_seq = ? WHERE run_id = ?"),
      ackLog: p('UPDATE runs SET log_acked = MAX(log_acked, ?) WHERE run_id = ?'),
      ackItems: p('UPDATE runs SET items_acked = MAX(items_acked, ?) WHERE run_id = ?'),
      outbox: p('SELECT seq, event FROM outbox ORDER BY seq LIMIT ?'),
      ackEvents: p('DELETE FROM outbox WHERE seq <= ?'),
      inOutbox: p('SELECT 1 FROM outbox WHERE seq = ?'),
      remove: p('DELETE FROM runs WHERE run_id = ?'),
      enqueue: p('INSERT INTO outbox (event) VALUES (?)'),
    };
  }

  /** Records a run the master assigned; false if it is already known (a duplicate assign is ignored). */
  add(spec: JobSpec, now: number): boolean {
    const res = this.#stmt.add!.run(spec.runId, JSON.stringify(spec), 'preparing', now);
    return res.changes === 1;
  }

  get(runId: string): RunRecord | undefined {
    const row = this.#stmt.get!.get(runId) as RunRow | undefined;
    return row && toRecord(row);
  }

  all(): RunRecord[] {
    return (this.#stmt.all!.all() as RunRow[]).map(toRecord);
  }

  /** Marks the process started and queues the `started` event, in one transaction. */
  started(runId: string, pid: number, procStart: string | null, startedAt: number): number {
    return this.#db.transaction(() => {
      this.#stmt.started!.run(pid, procStart, startedAt, runId);
      return this.#enqueue({ kind: 'started', runId, pid, startedAt });
    })();
  }

  /** Marks the run finished and queues the `finished` event, in one transaction. */
  finished(event: Extract<JobEvent, { kind: 'finished' }>): number {
    return this.#db.transaction(() => {
      const seq = this.#enqueue(event);
      this.#stmt.finished!.run(event.logBytes, event.itemsBytes, seq, event.runId);
      return seq;
    })();
  }

  ackStream(runId: string, stream: Stream, offset: number): void {
    (stream === 'log' ? this.#stmt.ackLog! : this.#stmt.ackItems!).run(offset, runId);
  }

  /** Events not yet acknowledged by the master, oldest first. */
  outbox(limit: number): { seq: number; event: JobEvent }[] {
    const rows = this.#stmt.outbox!.all(limit) as {
      seq: number;
      event: string;
    }[];
    return rows.map((r) => ({ seq: r.seq, event: JSON.parse(r.event) as JobEvent }));
  }

  ackEvents(upToSeq: number): void {
    this.#stmt.ackEvents!.run(upToSeq);
  }

  /** A finished run whose event and bytes the master has all acknowledged. */
  isSettled(r: RunRecord): boolean {
    if (r.state !== 'finished' || r.finishSeq === null) return false;
    const pending = this.#stmt.inOutbox!.get(r.finishSeq);
    return !pending && r.logAcked >= (r.logSize ?? 0) && r.itemsAcked >= (r.itemsSize ?? 0);
  }

  remove(runId: string): void {
    this.#stmt.remove!.run(runId);
    specCache.delete(runId);
  }

  close(): void {
    this.#db.close();
  }

  #enqueue(event: JobEvent): number {
    const res = this.#stmt.enqueue!.run(JSON.stringify(event));
    return Number(res.lastInsertRowid);
  }
}
