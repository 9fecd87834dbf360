/**
 * Simulated crawls for a simulated agent (bench/sim-agents.ts `--crawls`): what a real agent says about its runs,
 * frame for frame, without Scrapy. It answers `spiders.list` (one spider, `live`), takes every `job.assign` up to
 * its slots, reports the run `started` (job.events, numbered like the agent's outbox), then every `statsMs` sends
 * the run's Scrapy stats (`job.stats`, the keys a real crawl reports: requests, responses by status, items, log
 * counts, bytes, times) and the log lines those requests wrote (`log.chunk`, Scrapy's DEBUG format, at their
 * offsets). `job.cancel` ends a run (`finished`, cancelled). Counters grow at a rate that differs per run, so each
 * row of a page changes on its own.
 *
 * Paused (`pause` on stdin), no run reports anything until `resume`: the bench lets the pages settle to the
 * master's last stored values and compares.
 */
import type WebSocket from 'ws';

interface Run {
  runId: string;
  jobId: string;
  n: number;
  startedAt: number;
  timer: NodeJS.Timeout;
  logOffset: number;
  /** Requests already written to the log. */
  logged: number;
}

interface Frame {
  type?: string;
  id?: number;
  payload?: Record<string, unknown>;
}

export interface SimCrawlsOptions {
  slots: number;
  statsMs: number;
}

export interface SimCrawlsCounts {
  running: number;
  started: number;
  statsSent: number;
  logLines: number;
}

const STATUSES: [string, number][] = [
  ['200', 0.9],
  ['301', 0.04],
  ['404', 0.05],
  ['500', 0.01],
];

/** What run `n` has done `s` seconds in: 4 to 13 requests a second, two in flight, four items per five responses. */
export function crawlProgress(n: number, s: number) {
  const requests = Math.floor(s * (4 + (n % 10)));
  const responses = Math.max(0, requests - 2);
  const items = Math.floor(responses * 0.8);
  return { requests, responses, items };
}

function scrapyStats(n: number, startedAt: number, now: number): Record<string, number> {
  const s = (now - startedAt) / 1000;
  const { requests, responses, items } = crawlProgress(n, s);
  const stats: Record<string, number> = {
    start_time: startedAt,
    'downloader/request_count': requests,
    'downloader/request_method_count/GET': requests,
    'downloader/request_bytes': requests * 312,
    'downloader/response_count': responses,
    'downloader/response_bytes': responses * 18_734,
    response_received_count: responses,
    item_scraped_count: items,
    'scheduler/enqueued': requests + 40,
    'scheduler/enqueued/memory': requests + 40,
    'scheduler/dequeued': requests,
    'scheduler/dequeued/memory': requests,
    request_depth_max: 3,
    'log_count/DEBUG': requests + items,
    'log_count/INFO': 10 + Math.floor(s / 60),
    'log_count/WARNING': Math.floor(responses * 0.01),
    'memusage/startup': 61_000_000,
    'memusage/max': 61_000_000 + requests * 1_000,
    elapsed_time_seconds: Math.round(s * 1000) / 1000,
  };
  let left = responses;
  for (const [status, share] of STATUSES) {
    const c = status === '200' ? 0 : Math.floor(responses * share);
    stats[`downloader/response_status_count/${status}`] = c;
    left -= c;
  }
  stats['downloader/response_status_count/200'] = left;
  return stats;
}

const stamp = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');

/** The DEBUG lines Scrapy writes for requests [from, to): a crawl line each, and a scraped-item line for most. */
function logLines(n: number, from: number, to: number, now: number): string {
  let out = '';
  const t = stamp(now);
  for (let i = from; i < to; i++) {
    const url = `https://books.example.com/catalogue/page-${n}-${i}.html`;
    out += `${t} [scrapy.core.engine] DEBUG: Crawled (200) <GET ${url}> (referer: https://books.example.com/)\n`;
    if (i % 5 !== 0) {
      out += `${t} [scrapy.core.scraper] DEBUG: Scraped from <200 ${url}>\n{'title': 'Book ${i}', 'price': '£${(i % 50) + 10}.99'}\n`;
    }
  }
  return out;
}

export class SimCrawls {
  readonly #o: SimCrawlsOptions;
  readonly #runs = new Map<string, Run>();
  #seq = 0;
  #paused = false;
  readonly counts: SimCrawlsCounts = { running: 0, started: 0, statsSent: 0, logLines: 0 };

  constructor(o: SimCrawlsOptions) {
    this.#o = o;
  }

  set paused(p: boolean) {
    this.#paused = p;
  }

  get running(): number {
    return this.#runs.size;
  }

  /** Per-run resource samples, as the agent adds them to a heartbeat. */
  jobMetrics(): { runId: string; cpuPercent: number; rssBytes: number }[] {
    return [...this.#runs.values()].map((r) => ({ runId: r.runId, cpuPercent: 20 + (r.n % 30), rssBytes: 80e6 }));
  }

  /** A frame from the master after the handshake. */
  onFrame(ws: WebSocket, f: Frame): void {
    const p = f.payload ?? {};
    if (f.type === 'spiders.list' && f.id !== undefined) {
      send(ws, { type: 'spiders.list.reply', replyTo: f.id, payload: { ok: true, spiders: ['live'] } });
    } else if (f.type === 'job.assign') {
      this.#start(ws, p.job as { runId: string; jobId: string });
    } else if (f.type === 'job.cancel' && f.id !== undefined) {
      const run = this.#runs.get(String(p.runId));
      send(ws, { type: 'job.cancel.reply', replyTo: f.id, payload: { found: run !== undefined } });
      if (run) this.#finish(ws, run, String(p.signal));
    }
  }

  /** The socket closed: every run stops reporting (a real agent would reconnect; the bench is over). */
  stopAll(): void {
    for (const r of this.#runs.values()) clearInterval(r.timer);
    this.#runs.clear();
  }

  #start(ws: WebSocket, job: { runId: string; jobId: string }): void {
    if (this.#runs.has(job.runId) || this.#runs.size >= this.#o.slots) return;
    const n = this.counts.started++;
    const startedAt = Date.now();
    const run: Run = {
      ...job,
      n,
      startedAt,
      logOffset: 0,
      logged: 0,
      timer: setInterval(() => this.#report(ws, run), this.#o.statsMs),
    };
    this.#runs.set(job.runId, run);
    this.counts.running = this.#runs.size;
    const event = { kind: 'started', runId: job.runId, pid: 100_000 + n, startedAt };
    send(ws, { type: 'job.events', payload: { events: [{ seq: ++this.#seq, event }] } });
    this.#report(ws, run);
  }

  #report(ws: WebSocket, run: Run): void {
    if (this.#paused) return;
    const now = Date.now();
    const stats = scrapyStats(run.n, run.startedAt, now);
    send(ws, {
      type: 'job.stats',
      payload: {
        runId: run.runId,
        at: now,
        final: false,
        source: 'live',
        stats,
        exceptions: { total: 0, byType: {}, first: [], last: [] },
      },
    });
    this.counts.statsSent++;
    const requests = stats['downloader/request_count']!;
    if (requests > run.logged) {
      const text = Buffer.from(logLines(run.n, run.logged, requests, now));
      this.counts.logLines += requests - run.logged;
      send(ws, {
        type: 'log.chunk',
        payload: { runId: run.runId, stream: 'log', offset: run.logOffset, data: text.toString('base64') },
      });
      run.logOffset += text.length;
      run.logged = requests;
    }
  }

  #finish(ws: WebSocket, run: Run, signal: string): void {
    clearInterval(run.timer);
    this.#runs.delete(run.runId);
    this.counts.running = this.#runs.size;
    const event = {
      kind: 'finished',
      runId: run.runId,
      startedAt: run.startedAt,
      endedAt: Date.now(),
      exitCode: null,
      signal,
      outcome: 'cancelled',
      reason: `cancelled (${signal})`,
      logBytes: run.logOffset,
      itemsBytes: 0,
    };
    send(ws, { type: 'job.events', payload: { events: [{ seq: ++this.#seq, event }] } });
  }
}

function send(ws: WebSocket, frame: Record<string, unknown>): void {
  if (ws.readyState === 1) ws.send(JSON.stringify(frame));
}
