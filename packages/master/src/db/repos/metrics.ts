/**
 * Host and job metrics from agent heartbeats. At scale (10,000 agents, a sample each every 5 s: 2,000 rows/s) a
 * statement per sample would dominate the master's write load, so rows are group-committed: buffered in memory
 * and written in one multi-row INSERT per table when 500 are waiting, or at the latest a second after the first
 * one arrived. Metrics are telemetry: a failed write is reported and its rows dropped, never retried or thrown
 * at the heartbeat handler. Reads see rows once they are flushed; `latestHost` is always current.
 */
import { CompiledQuery, type Insertable } from 'kysely';
import type { HostMetrics, JobMetric, JobMetricSample } from '@scrapyard/protocol';
import type { Db } from '../database.js';
import type { HostMetricsTable, JobMetricsTable } from '../schema.js';
import { HostRowBuffer, LatestHostSamples } from './host-columns.js';

/** Rows per INSERT; also the buffer size that triggers a flush before the timer (13 × 500 bound parameters). */
const BATCH_ROWS = 500;
/** Longest a buffered row waits for its INSERT (by default). */
const FLUSH_INTERVAL_MS = 1_000;
/**
 * Rows buffered per table beyond which new ones are dropped: only reached if the database stalls for a long
 * time (about 100 s of the 10,000-agent load), and it keeps memory bounded.
 */
const BUFFER_MAX_ROWS = 200_000;
/**
 * Rows deleted per statement by prune: a long DELETE would block the event loop (better-sqlite3 is synchronous)
 * or, on PostgreSQL, hold its locks and WAL for as long.
 */
const PRUNE_BATCH_ROWS = 5_000;

/**
 * Row counts of the INSERTs that write `n` rows: full batches, then the rest as powers of two. Each row count is
 * its own SQL text, which the SQLite driver keeps prepared (dialect.ts), and a prepared 500-row INSERT holds about
 * 0.5 MB: with every count from 1 to 500 possible, the 10,000-agent load kept hundreds of them (over 100 MB).
 * This way there are at most ten per table, and every flush still runs prepared statements.
 */
export function batchSizes(n: number): number[] {
  const sizes: number[] = [];
  let rest = n;
  for (; rest >= BATCH_ROWS; rest -= BATCH_ROWS) sizes.push(BATCH_ROWS);
  for (let p = 2 ** Math.floor(Math.log2(BATCH_ROWS)); p >= 1; p /= 2) {
    if (rest >= p) {
      sizes.push(p);
      rest -= p;
    }
  }
  return sizes;
}

type JobRow = Insertable<JobMetricsTable>;

export interface MetricsRepoOptions {
  /** Called with every failed write (its rows are dropped) and when rows were dropped on a full buffer. */
  onError(error: unknown): void;
  /** Longest a buffered row waits for its INSERT; default 1 s. */
  flushIntervalMs?: number;
}

function toHostMetrics(r: HostMetricsTable): HostMetrics {
  return {
    at: r.at,
    cpuPercent: r.cpu_percent,
    cpus: r.cpus,
    load1: r.load1,
    load5: r.load5,
    load15: r.load15,
    memUsedBytes: r.mem_used,
    memTotalBytes: r.mem_total,
    diskUsedBytes: r.disk_used,
    diskTotalBytes: r.disk_total,
    netRxBytesPerSec: r.net_rx,
    netTxBytesPerSec: r.net_tx,
  };
}

export function createMetricsRepo(db: Db, opts: MetricsRepoOptions) {
  /** Each node's latest sample, and the samples waiting for their INSERT (two buffers: one is being written). */
  const latest = new LatestHostSamples();
  let hostRows = new HostRowBuffer();
  let hostRowsWritten = new HostRowBuffer();
  let jobRows: JobRow[] = [];
  /** The SQL of a host-sample INSERT by row count (batchSizes: at most ten). */
  const hostInsertSql = new Map<number, string>();
  let dropped = 0;
  let timer: NodeJS.Timeout | undefined;
  /** The write in progress; one at a time, so batches land in arrival order and never pile up. */
  let writing: Promise<void> | undefined;
  let startQueued = false;
  let closed = false;

  const report = (e: unknown) => {
    try {
      opts.onError(e);
    } catch {
      // A throwing logger must not break the flush loop.
    }
  };

  /** Inserts rows [0, n) in batches; `insert(from, to)` writes rows [from, to). */
  async function insertInBatches(n: number, insert: (from: number, to: number) => Promise<unknown>): Promise<void> {
    let i = 0;
    for (const size of batchSizes(n)) {
      try {
        await insert(i, i + size);
      } catch (e) {
        report(e);
      }
      i += size;
    }
  }

  /** Writes everything buffered now; rows arriving meanwhile wait for the next trigger. */
  async function write(): Promise<void> {
    const host = hostRows;
    const jobs = jobRows;
    hostRows = hostRowsWritten;
    hostRowsWritten = host;
    jobRows = [];
    if (dropped > 0) {
      report(new Error(`metrics buffer full: dropped ${dropped} rows`));
      dropped = 0;
    }
    await insertInBatches(host.length, (from, to) => {
      // kysely compiles the statement of each row count once (its row objects and query tree cost ~3 KB a row);
      // every later INSERT of that many rows binds the buffer's numbers to the same SQL text.
      let sql = hostInsertSql.get(to - from);
      if (sql === undefined) {
        sql = db.insertInto('host_metrics').values(host.rows(from, to)).compile().sql;
        hostInsertSql.set(to - from, sql);
      }
      return db.executeQuery(CompiledQuery.raw(sql, host.parameters(from, to)));
    });
    host.clear();
    await insertInBatches(jobs.length, (from, to) =>
      db.insertInto('job_metrics').values(jobs.slice(from, to)).execute(),
    );
  }

  const pending = () => hostRows.length + jobRows.length > 0;
  const full = () => hostRows.length >= BATCH_ROWS || jobRows.length >= BATCH_ROWS;

  function start(): Promise<void> {
    if (timer) clearTimeout(timer);
    timer = undefined;
    writing ??= write().finally(() => {
      writing = undefined;
      schedule();
    });
    return writing;
  }

  /**
   * After rows were added or a write ended: write on the next turn if a batch is full (not on the caller's stack:
   * the heartbeat that fills a batch should not pay for building its INSERT), else make sure the timer runs.
   */
  function schedule(): void {
    if (closed || writing || !pending()) return;
    if (!full()) {
      timer ??= setTimeout(() => void start(), opts.flushIntervalMs ?? FLUSH_INTERVAL_MS).unref();
    } else if (!startQueued) {
      startQueued = true;
      setImmediate(() => {
        startQueued = false;
        void start();
      });
    }
  }

  function admit<T extends { length: number }>(rows: T, push: (rows: T) => void): void {
    if (rows.length >= BUFFER_MAX_ROWS) dropped++;
    else push(rows);
  }

  return {
    /** Buffers one host sample and makes it the node's latest. Ignored after close. */
    recordHost(nodeId: string, m: HostMetrics): void {
      if (closed) return;
      latest.set(nodeId, m);
      admit(hostRows, (rows) => rows.push(nodeId, m));
      schedule();
    },

    /** Buffers the job samples of one heartbeat, all taken at `at`. Ignored after close. */
    recordJobs(at: number, samples: readonly JobMetric[]): void {
      if (closed || samples.length === 0) return;
      for (const s of samples) {
        admit(jobRows, (rows) => rows.push({ run_id: s.runId, at, cpu_percent: s.cpuPercent, rss_bytes: s.rssBytes }));
      }
      schedule();
    },

    /** The node's most recent sample since the master started (memory only: for the node list and placement). */
    latestHost(nodeId: string): HostMetrics | undefined {
      return latest.get(nodeId);
    },

    /** The latest `limit` flushed samples of a node taken at or after `since`, oldest first. */
    async hostSamples(nodeId: string, since: number, limit: number): Promise<HostMetrics[]> {
      if (!(limit > 0)) return [];
      const rows = await db
        .selectFrom('host_metrics')
        .selectAll()
        .where('node_id', '=', nodeId)
        .where('at', '>=', since)
        .orderBy('at', 'desc')
        .limit(Math.floor(limit))
        .execute();
      return rows.reverse().map(toHostMetrics);
    },

    /** Every flushed sample of a run, oldest first (bounded by retention). */
    async jobSamples(runId: string): Promise<JobMetricSample[]> {
      const rows = await db
        .selectFrom('job_metrics')
        .select(['at', 'cpu_percent', 'rss_bytes'])
        .where('run_id', '=', runId)
        .orderBy('at', 'asc')
        .execute();
      return rows.map((r) => ({ at: r.at, cpuPercent: r.cpu_percent, rssBytes: r.rss_bytes }));
    },

    /**
     * Deletes samples taken before `olderThan`, a few thousand rows per statement so that a large backlog does
     * not stall the event loop; also forgets latest samples that old (nodes long gone).
     */
    async prune(olderThan: number): Promise<{ host: number; jobs: number }> {
      latest.forgetOlderThan(olderThan);
      const pruneTable = async (table: 'host_metrics' | 'job_metrics'): Promise<number> => {
        let total = 0;
        for (;;) {
          // The batch ends at the time of its last row (found through the `at` index), so each DELETE is a
          // range; rows sharing that time go in the same batch, which bounds it by the samples of one instant.
          const last = await db
            .selectFrom(table)
            .select('at')
            .where('at', '<', olderThan)
            .orderBy('at')
            .offset(PRUNE_BATCH_ROWS - 1)
            .limit(1)
            .executeTakeFirst();
          const res = await db
            .deleteFrom(table)
            .where('at', last ? '<=' : '<', last ? last.at : olderThan)
            .executeTakeFirst();
          total += Number(res.numDeletedRows);
          if (!last) return total;
          await new Promise<void>((resolve) => setImmediate(resolve));
        }
      };
      return { host: await pruneTable('host_metrics'), jobs: await pruneTable('job_metrics') };
    },

    /** Writes every row buffered so far (for shutdown and tests); resolves once they are committed or reported. */
    async flush(): Promise<void> {
      // The write under way holds older rows; once it ends, its follow-up (if it started one) or a new write
      // takes everything still buffered.
      if (writing) await writing;
      if (writing || pending()) await (writing ?? start());
    },

    /** Stops the timer; later records are ignored. Call flush first to keep what is buffered. */
    close(): void {
      closed = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
    },
  };
}

export type MetricsRepo = ReturnType<typeof createMetricsRepo>;
