/**
 * The agent's end of the live stats channel: one Unix stream socket per run, `<runDir>/stats.sock`, on which the
 * crawl's stats extension reports every few seconds (one report per connection), and the stats file the crawl
 * writes when it closes. Reports go to the master as `job.stats`; the last one of an ended crawl is `final` and is
 * sent before the run's `finished` event.
 *
 * Who may report for a run: only that run's crawl. The socket's path names the run, but a path is no proof: every
 * crawl runs as the same user (the agent's, or `crawlUser`), and a crawl can learn other runs' ids (command lines
 * are world-readable in /proc). Node's `net` does not expose the peer's credentials (SO_PEERCRED), and they would
 * not tell two crawls of one user apart anyway. So each run gets a random token (32 bytes), and every report must
 * start with it (`<64 hex>\n<json>`); anything else is dropped. The token reaches the crawl through a socketpair
 * inherited as fd 3 (`SCRAPYARD_STATS_TOKEN_FD`), which the runner reads once at start and closes, keeping the token
 * in memory only: never in its environment or argv (which other processes of its user can read in /proc), never
 * in a file the crawl user can read (the agent keeps its copy in `<runDir>/stats-token`, agent-only 0600, for a
 * restarted agent), and a socket can't be opened through /proc/<pid>/fd by anyone. What it does not stop:
 * - a crawl running as the agent's own user (no `crawlUser`) can read the token file, as it can read everything
 *   else of the agent's; use `crawlUser` where crawls must not touch each other (docs/security.md);
 * - with `kernel.yama.ptrace_scope = 0`, processes of one user may ptrace each other and read each other's memory;
 * - another crawl can still connect and send garbage, which costs the run at most a dropped report (the bounds
 *   below).
 *
 * Bounded against what a crawl may do: a few connections per run at once, each read for at most a few seconds and
 * `MAX_REPORT_BYTES`; garbage is dropped; reports faster than one per `MIN_REPORT_GAP_MS` are dropped (the next one
 * carries the same counters). The agent never waits on a crawl and a crawl never waits on the agent.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, chownSync, closeSync, openSync, readFileSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import type { Logger } from 'pino';
import type { JobStats } from '@scrapyard/protocol';
import type { RunFiles } from './crawl-command.js';
import type { CrawlIdentity } from './crawl-identity.js';
import {
  MAX_REPORT_BYTES,
  parseReport,
  socketPathFits,
  splitToken,
  toJobStats,
  TOKEN_LINE_BYTES,
  type StatsReport,
} from './stats-report.js';

const CONNECTIONS_PER_RUN = 4;
const READ_TIMEOUT_MS = 5_000;
const MIN_REPORT_GAP_MS = 250;

interface RunChannel {
  server: Server | null;
  /** What every report must start with; null: no live reports for this run (e.g. a run from an older agent). */
  token: Buffer | null;
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

  /**
   * Listens on the run's socket; call before its crawl spawns (`fresh`: a new token, returned for the crawl), or
   * when a crawl is re-adopted after a restart (its token from the run's token file). Null: no live reports.
   */
  open(runId: string, files: RunFiles, o: { fresh: boolean }): string | null {
    this.close(runId);
    const token = this.#token(runId, files, o.fresh);
    const run: RunChannel = { server: null, token, latest: this.#runs.get(runId)?.latest ?? null, lastAt: -Infinity };
    this.#runs.set(runId, run);
    if (!socketPathFits(files.statsSocket)) {
      this.#log.warn({ runId, path: files.statsSocket }, 'run socket path too long for live stats; final stats only');
      return null;
    }
    if (token === null) return null;
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
    return token.toString('hex');
  }

  #token(runId: string, files: RunFiles, fresh: boolean): Buffer | null {
    try {
      if (fresh) {
        const token = randomBytes(32);
        // Agent-only (0600, in the agent's run dir): a crawl user can neither read it nor plant a link there.
        writeFileSync(files.statsToken, token.toString('hex'), { mode: 0o600 });
        return token;
      }
      const hex = readFileSync(files.statsToken, 'utf8').trim();
      return /^[0-9a-f]{64}$/.test(hex) ? Buffer.from(hex, 'hex') : null;
    } catch (e) {
      if (fresh || (e as NodeJS.ErrnoException).code !== 'ENOENT') {
        this.#log.warn({ runId, err: e }, 'no live stats token for the run; final stats only');
      }
      return null;
    }
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
    this.#runs.set(runId, { server: null, token: null, latest: final, lastAt: this.#now() });
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
      if (size > MAX_REPORT_BYTES + TOKEN_LINE_BYTES) {
        sock.destroy();
        return;
      }
      chunks.push(b);
    });
    sock.on('end', () => {
      sock.end();
      if (size > MAX_REPORT_BYTES + TOKEN_LINE_BYTES || run.server === null || run.token === null) return;
      const parts = splitToken(Buffer.concat(chunks));
      // Not this run's crawl (or not one that knows its token): dropped, whatever it sent.
      if (!parts || !timingSafeEqual(parts.token, run.token)) {
        this.#log.debug({ runId, bytes: size }, 'dropped a live stats report without the run token');
        return;
      }
      const report = parseReport(parts.rest);
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
