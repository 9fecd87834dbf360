/**
 * Shared steps of cluster tests: a master without an embedded agent and with short fault timers, clients for its
 * Scrapyd and REST APIs, raw listjobs entries (with the cluster's additive fields), the REST view of a job, and
 * the checks every fault test makes on a slow crawl's log.
 */
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { ScrapydClient } from './clients.js';
import { CaScrapydClient, RestClient, type Auth } from './http.js';
import { startMaster, type MasterProcess, type StartOptions } from './processes.js';
import { waitFor } from './wait.js';

/** Fault timers short enough for tests: offline after 3 s of silence, lost 5 s later, one retry. */
export const CLUSTER_ENV: Record<string, string> = {
  SCRAPYARD_HEARTBEAT_TIMEOUT: '3',
  SCRAPYARD_LOST_GRACE: '5',
  SCRAPYARD_LOST_JOB_RETRIES: '1',
};

export interface Cluster {
  master: MasterProcess;
  /** The master's base URL (https when TLS is on). */
  url: string;
  api: ScrapydClient;
  rest: RestClient;
  auth?: Auth;
  caFile?: string;
}

export interface ClusterOptions extends StartOptions {
  auth?: Auth;
  /** TLS: the master serves https with these PEM files; clients trust caFile. */
  tls?: { certFile: string; keyFile: string; caFile: string };
}

export async function startCluster(t: TestContext, opts: ClusterOptions = {}): Promise<Cluster> {
  const env: Record<string, string> = { ...CLUSTER_ENV };
  if (opts.auth) {
    env.SCRAPYARD_USERNAME = opts.auth.username;
    env.SCRAPYARD_PASSWORD = opts.auth.password;
  }
  if (opts.tls) {
    env.SCRAPYARD_TLS_CERT = opts.tls.certFile;
    env.SCRAPYARD_TLS_KEY = opts.tls.keyFile;
  }
  const master = await startMaster(t, {
    ...opts,
    args: ['--no-local-agent', ...(opts.args ?? [])],
    env: { ...env, ...opts.env },
  });
  return clusterOf(master, opts);
}

/** Clients for a master (also for a restarted one). */
export function clusterOf(master: MasterProcess, opts: { auth?: Auth; tls?: { caFile: string } } = {}): Cluster {
  const url = opts.tls ? master.url.replace(/^http:/, 'https:') : master.url;
  const caFile = opts.tls?.caFile;
  const api = caFile ? new CaScrapydClient(url, { auth: opts.auth, caFile }) : new ScrapydClient(url, opts.auth);
  return { master, url, api, rest: new RestClient(url, { auth: opts.auth, caFile }), auth: opts.auth, caFile };
}

/** A listjobs.json entry with the cluster's additive fields. */
export interface JobEntry {
  id: string;
  project: string;
  spider: string;
  pid?: number | null;
  node_id?: string | null;
  tags?: string[];
  pending_reason?: string | null;
  outcome?: string | null;
  start_time?: string;
  end_time?: string;
  log_url?: string | null;
  items_url?: string | null;
  [k: string]: unknown;
}

export interface RawJobs {
  pending: JobEntry[];
  running: JobEntry[];
  finished: JobEntry[];
}

export async function rawJobs(api: ScrapydClient, project?: string): Promise<RawJobs> {
  const body = await api.get('listjobs.json', project ? { project } : {});
  ScrapydClient.ok(body);
  return { pending: body.pending, running: body.running, finished: body.finished } as unknown as RawJobs;
}

/** Where a job is in listjobs.json, and its entry. */
export async function findJob(
  api: ScrapydClient,
  id: string,
): Promise<{ state: 'pending' | 'running' | 'finished'; entry: JobEntry } | undefined> {
  const jobs = await rawJobs(api);
  for (const state of ['running', 'pending', 'finished'] as const) {
    const entry = jobs[state].find((j) => j.id === id);
    if (entry) return { state, entry };
  }
  return undefined;
}

export async function waitState(
  api: ScrapydClient,
  id: string,
  state: 'pending' | 'running' | 'finished',
  timeoutMs = 60_000,
): Promise<JobEntry> {
  return waitFor(
    async () => {
      const f = await findJob(api, id);
      if (!f || f.state !== state) return undefined;
      if (state === 'running' && (f.entry.pid === null || f.entry.pid === undefined)) return undefined;
      return f.entry;
    },
    { timeoutMs, what: `job ${id} to be ${state}` },
  );
}

/** The REST view of a job's latest run. */
export interface JobInfoBody {
  id: string;
  runId: string;
  project: string;
  spider: string;
  state: 'pending' | 'running' | 'finished';
  nodeId: string | null;
  tags: string[];
  attempt: number;
  pendingReason: string | null;
  unreachable: boolean;
  pid: number | null;
  outcome: string | null;
  [k: string]: unknown;
}

export async function jobInfo(rest: RestClient, id: string, project = 'demo'): Promise<JobInfoBody> {
  return (await rest.get(
    `/api/v1/jobs/${encodeURIComponent(id)}?project=${encodeURIComponent(project)}`,
  )) as JobInfoBody;
}

/** Waits until the REST API shows the job's latest run finished; returns it. */
export async function waitJobFinished(
  rest: RestClient,
  id: string,
  what: string,
  timeoutMs = 60_000,
): Promise<JobInfoBody> {
  return waitFor(
    async () => {
      const i = await jobInfo(rest, id);
      return i.state === 'finished' ? i : undefined;
    },
    { what, timeoutMs },
  );
}

export interface NodeInfoBody {
  nodeId: string;
  kind: string;
  online: boolean;
  revoked: boolean;
  cordoned: boolean;
  dedicated: boolean;
  tags: string[];
  slots: number;
  running: number;
  hostname: string | null;
  agentVersion: string | null;
  lastSeen: number | null;
  host: Record<string, number> | null;
  [k: string]: unknown;
}

export async function nodeInfo(rest: RestClient, id: string): Promise<NodeInfoBody> {
  return (await rest.get(`/api/v1/nodes/${encodeURIComponent(id)}`)) as NodeInfoBody;
}

export async function listNodes(rest: RestClient): Promise<NodeInfoBody[]> {
  return (await rest.get('/api/v1/nodes')).nodes as NodeInfoBody[];
}

/** The SLOW_TICK numbers of a slow crawl's log, in order. */
export function ticksOf(log: string): number[] {
  return [...log.matchAll(/SLOW_TICK (\d+)/g)].map((m) => Number(m[1]));
}

/**
 * A complete log of a slow crawl that ran for `seconds` (0.5 s per tick): every tick exactly once, in order, and
 * Scrapy's closing line once — nothing lost and nothing shipped twice across whatever the test did meanwhile.
 */
export function assertCompleteSlowLog(log: string, seconds: number): void {
  const ticks = ticksOf(log);
  const expected = ticks.map((_, i) => i + 1);
  assert.deepEqual(ticks, expected, 'every tick exactly once, in order (no gap, no duplicate)');
  assert.ok(ticks.length >= seconds * 2 - 2, `log should hold the whole crawl, got ${ticks.length} ticks`);
  assert.equal((log.match(/Spider closed \(finished\)/g) ?? []).length, 1, 'one closing line');
  assert.equal((log.match(/Spider opened/g) ?? []).length, 1, 'one opening line');
  // Every line is whole: shipping by offset never tears a line in two.
  for (const line of log.split('\n').filter(Boolean)) {
    assert.ok(!/SLOW_TICK \d+.*SLOW_TICK/.test(line), `torn or merged line: ${line}`);
  }
}

/** Items of a slow crawl: one {"tick": n} per tick, each once. */
export function assertCompleteSlowItems(itemsText: string, ticks: number): void {
  const items = itemsText
    .trim()
    .split('\n')
    .map((l) => (JSON.parse(l) as { tick: number }).tick);
  assert.deepEqual(
    items,
    Array.from({ length: ticks }, (_, i) => i + 1),
    'one item per tick, each once',
  );
}

/**
 * Checks that should not stop the test at the first failure (independent contract details): each failure is
 * reported as a diagnostic at once, and `done()` at the end of the test fails it with all of them.
 */
export function softChecks(t: TestContext): { check: (what: string, fn: () => void) => void; done: () => void } {
  const failures: string[] = [];
  return {
    check(what, fn) {
      try {
        fn();
      } catch (e) {
        const msg = `${what}: ${(e as Error).message}`;
        failures.push(msg);
        t.diagnostic(`soft check failed: ${msg}`);
      }
    },
    done() {
      if (failures.length > 0) assert.fail(`${failures.length} check(s) failed:\n- ${failures.join('\n- ')}`);
    },
  };
}

/** The pino records a daemon printed (JSON lines) whose message is `msg`, e.g. the master's "job finished". */
export function logRecords(output: string, msg: string): Record<string, unknown>[] {
  const records: Record<string, unknown>[] = [];
  for (const line of output.split('\n')) {
    if (!line.startsWith('{') || !line.includes(msg)) continue;
    try {
      const r = JSON.parse(line) as Record<string, unknown>;
      if (r.msg === msg) records.push(r);
    } catch {
      // not JSON, or the last line while it is still being written
    }
  }
  return records;
}
