/**
 * The agent's end of the live stats channel: one Unix stream socket per run, `<runDir>/stats.sock`, on which the
 * crawl's stats extension reports every few seconds (one report per connection), and the stats file the crawl
 * writes when it closes. Reports go to the master as `job.stats`; the last one of an ended crawl is `final` and is
 * sent before the run's `finished` event.
 *
 * Why a socket per run: the socket's path names the run, so a crawl can only report for its own run — with a crawl
 * user, the socket is group-writable in the run's directory, which other crawls can't list (private-layout.ts; the
 * same limits as the run's log apply: a crawl of the same user that learns another run's id could write to it).
 *
 * Bounded against what a crawl may do: a few connections per run at once, each read for at most a few seconds and
 * `MAX_REPORT_BYTES`; garbage is dropped; reports faster than one per `MIN_REPORT_GAP_MS` are dropped (the next one
 * carries the same counters). The agent never waits on a crawl and a crawl never waits on the agent.
 */
import { chmodSync, chownSync, closeSync, openSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import type { Logger } from 'pino';
import type { JobStats } from '@scrapyard/protocol';
import type { RunFiles } from './crawl-command.js';
import type { CrawlIdentity } from './crawl-identity.js';
import { MAX_REPORT_BYTES, parseReport, socketPathFits, toJobStats, type StatsReport } from './stats-report.js';

const CONNECTIONS_PER_RUN = 4;
const READ_TIMEOUT_MS = 5_000;
const MIN_REPORT_GAP_MS = 250;

interface RunChannel {
  server: Server | null;
  latest: JobStats | null;
  lastAt: number;
}

export interface StatsChannelDeps {
  identity: CrawlIdentity | null;
  logger: Logger;
  /** A report to forward (dropped by the caller when offline: the latest is re-sent on reconnect). */
  forward: (stats: JobStats) => void;
  now?: () => number;
}

export class StatsChannel {
  readonly #d: StatsChannelDeps;
  readonly #runs = new Map<string, RunChannel>();
  readonly #log: Logger;
  readonly #now: () => number;

  constructor(deps: StatsChannelDeps) {
    this.#d = deps;
    this.#log = deps.logger.child({ component: 'stats-channel' });
    this.#now = deps.now ?? Date.now;
  }

  /** Listens on the run's socket; call before its crawl spawns (or when a crawl is re-adopted after a restart). */
  open(runId: string, files: RunFiles): void {
    this.close(runId);
    const run: RunChannel = { server: null, latest: this.#runs.get(runId)?.latest ?? null, lastAt: -Infinity };
    this.#runs.set(runId, run);
    if (!socketPathFits(files.statsSocket)) {
      this.#log.warn({ runId, path: files.statsSocket }, 'run socket path too long for live stats; final stats only');
      return;
    }
    // A socket left by a previous agent process (re-adoption) would make listen fail with EADDRINUSE.
    rmSync(files.statsSocket, { force: true });
    const server = createServer({ allowHalfOpen: false }, (sock) => this.#accept(runId, run, sock));
    server.maxConnections = CONNECTIONS_PER_RUN;
    server.on('error', (e) => this.#log.warn({ runId, err: e }, 'live stats socket failed; final stats only'));
    server.listen(files.statsSocket, () => {
      try {
        const id = this.#d.identity;
        // connect() needs write permission on the socket: the crawl's group gets it, nobody else.
        if (id) chownSync(files.statsSocket, process.getuid!(), id.gid);
        chmodSync(files.statsSocket, id ? 0o620 : 0o600);
      } catch (e) {
        this.#log.warn({ runId, err: e }, 'could not set the live stats socket mode');
      }
    });
    server.unref();
    run.server = server;
  }

  /**
   * The crawl has ended: its final stats are the file it wrote at close (Scrapy's closing dump), or, if it died
   * without one, its last live report. Saved to the stats file (so an agent restart can re-send it), forwarded, and
   * returned. Null when the crawl never reported anything.
   */
  ended(runId: string, files: RunFiles): JobStats | null {
    const run = this.#runs.get(runId);
    this.close(runId);
    const dump = readReport(files.stats);
    let final: JobStats | null = null;
    if (dump) {
      final = toJobStats(runId, dump, true, dump.source ?? 'dump');
    } else if (run?.latest) {
      final = { ...run.latest, final: true, source: 'live' };
      try {
        const saved: StatsReport = { v: 1, ...final, source: 'live' };
        writeFileSync(files.stats, JSON.stringify(saved), { mode: 0o600 });
      } catch (e) {
        this.#log.warn({ runId, err: e }, 'could not save the final stats');
      }
    }
    this.#runs.set(runId, { server: null, latest: final, lastAt: this.#now() });
    if (final) this.#d.forward(final);
    return final;
  }

  /** What to re-send after a reconnect: the latest report of a running crawl, or the final stats of an ended one. */
  latest(runId: string, files: RunFiles, ended: boolean): JobStats | null {
    const known = this.#runs.get(runId)?.latest ?? null;
    if (!ended || known?.final) return known;
    // An ended run from before an agent restart: its final stats are in its file.
    const dump = readReport(files.stats);
    return dump ? toJobStats(runId, dump, true, dump.source ?? 'dump') : known && { ...known, final: true };
  }

  /** Stops listening for a run (its socket file goes with its directory). */
  close(runId: string): void {
    const run = this.#runs.get(runId);
    if (run?.server) {
      run.server.close();
      run.server = null;
    }
  }

  /** The run's files are gone: forget it. */
  forget(runId: string): void {
    this.close(runId);
    this.#runs.delete(runId);
  }

  /** Stops every listener (the crawls keep running; the next agent re-opens their sockets). */
  stop(): void {
    for (const runId of this.#runs.keys()) this.close(runId);
  }

  #accept(runId: string, run: RunChannel, sock: Socket): void {
    const chunks: Buffer[] = [];
    let size = 0;
    sock.setTimeout(READ_TIMEOUT_MS, () => sock.destroy());
    sock.on('error', () => undefined); // a crawl that hangs up early is not an error of ours
    sock.on('data', (b: Buffer) => {
      size += b.length;
      if (size > MAX_REPORT_BYTES) {
        sock.destroy();
        return;
      }
      chunks.push(b);
    });
    sock.on('end', () => {
      sock.end();
      if (size > MAX_REPORT_BYTES || run.server === null) return;
      const report = parseReport(Buffer.concat(chunks));
      if (!report) {
        this.#log.debug({ runId, bytes: size }, 'dropped an invalid live stats report');
        return;
      }
      const now = this.#now();
      // The final report arrives through ended() (from the file); a fast reporter only loses redundant samples.
      if (now - run.lastAt < MIN_REPORT_GAP_MS) return;
      run.lastAt = now;
      run.latest = toJobStats(runId, report, false, 'live');
      this.#d.forward(run.latest);
    });
  }
}

/** A run's stats file, or null when it is missing, empty (made for a crawl user and never written) or invalid. */
function readReport(path: string): StatsReport | null {
  // Read at most one byte past the cap: the crawl may have written anything there.
  const buf = Buffer.alloc(MAX_REPORT_BYTES + 1);
  let n = 0;
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    for (let r = -1; r !== 0 && n < buf.length; n += r) r = readSync(fd, buf, n, buf.length - n, null);
  } catch {
    return null;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  return parseReport(buf.subarray(0, n));
}
