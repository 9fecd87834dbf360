/**
 * What each rule kind holds on, as pure functions of what the engine observed: a finished run (with its final
 * stats and baseline), a schedule fire, a node. Each answers whether the condition holds and the facts a message
 * shows (a one-line summary, detail lines, labels).
 */
import type { AlertCondition, CrawlStats, JobStatsSummary, NodeInfo } from '@scrapyard/protocol';

export interface Facts {
  summary: string;
  detail: string;
  labels: Record<string, string>;
}
export interface Verdict extends Facts {
  holds: boolean;
}

type Of<K extends AlertCondition['kind']> = Extract<AlertCondition, { kind: K }>;
export type JobCondition = Of<'job_outcome'> | Of<'job_items'> | Of<'job_errors'>;
export type NodeCondition = Of<'node_offline'> | Of<'node_resource'>;

export const isJobCondition = (c: AlertCondition): c is JobCondition =>
  c.kind === 'job_outcome' || c.kind === 'job_items' || c.kind === 'job_errors';
export const isNodeCondition = (c: AlertCondition): c is NodeCondition =>
  c.kind === 'node_offline' || c.kind === 'node_resource';

/** A finished run as a job rule sees it. */
export interface FinishedRunFacts {
  jobId: string;
  project: string;
  spider: string;
  /** The jobs table's JSON array of [key, value] pairs. */
  args: string;
  nodeId: string | null;
  outcome: string;
  reason: string | null;
  /** The run's last stats, if any reached the master. */
  summary: JobStatsSummary | null;
  stats: CrawlStats | null;
}

/** A reason may hold a traceback: its tail (where the error is) is what a message shows. */
const REASON_MAX = 1_500;

function clip(s: string, max: number): string {
  return s.length <= max ? s : `…${s.slice(s.length - max)}`;
}

/**
 * `project/spider`: a job rule's alert is about the spider, whatever arguments its runs had. Arguments are chosen by
 * whoever may schedule a job, so a subject built from them would let open alerts (and their notices) grow without
 * bound. An items rule still compares a run against runs with the same arguments (its baseline).
 */
export function jobSubject(project: string, spider: string): string {
  return `${project}/${spider}`;
}

export function inScope(c: { project?: string | null; spider?: string | null }, project: string, spider: string) {
  return (!c.project || c.project === project) && (!c.spider || c.spider === spider);
}

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function runFacts(r: FinishedRunFacts, what: string, lines: string[], labels: Record<string, string> = {}): Facts {
  const on = r.nodeId ? ` on node ${r.nodeId}` : '';
  return {
    summary: `${what}: ${r.project}/${r.spider} (job ${r.jobId})${on}`,
    detail: [
      `Job: ${r.jobId} (${r.project}/${r.spider})`,
      ...(r.nodeId ? [`Node: ${r.nodeId}`] : []),
      ...lines,
      `Outcome: ${r.outcome}`,
      ...(r.reason ? [`Reason: ${clip(r.reason.trim(), REASON_MAX)}`] : []),
    ].join('\n'),
    labels: {
      job_id: r.jobId,
      project: r.project,
      spider: r.spider,
      outcome: r.outcome,
      ...(r.nodeId ? { node_id: r.nodeId } : {}),
      ...labels,
    },
  };
}

/** Holds for a watched outcome; a succeeded run is what resolves it (other outcomes say nothing). */
export function judgeOutcome(c: Of<'job_outcome'>, r: FinishedRunFacts): Verdict | null {
  const holds = (c.outcomes as readonly string[]).includes(r.outcome);
  if (!holds && r.outcome !== 'succeeded') return null;
  return { holds, ...runFacts(r, `crawl ${r.outcome.replace('_', ' ')}`, []) };
}

/** `baseline`: item counts of the spider's last succeeded runs (only read when the rule has a percentage). */
export function judgeItems(c: Of<'job_items'>, r: FinishedRunFacts, baseline: readonly number[]): Verdict {
  const items = r.summary?.items ?? 0;
  const lines = [`Items: ${items}`];
  let holds = false;
  if (c.minItems !== undefined) {
    lines.push(`Minimum: ${c.minItems}`);
    if (items < c.minItems) holds = true;
  }
  const labels: Record<string, string> = { items: String(items) };
  if (c.minPercentOfMedian !== undefined) {
    const m = median(baseline);
    if (m === null) {
      lines.push(`Baseline: no succeeded run of this spider with these arguments yet`);
    } else {
      const floor = (m * c.minPercentOfMedian) / 100;
      lines.push(
        `Baseline: median ${m} of the last ${baseline.length} runs; minimum ${c.minPercentOfMedian}% = ${floor}`,
      );
      labels.baseline_median = String(m);
      if (items < floor) holds = true;
    }
  }
  const what = holds ? `too few items (${items})` : `items back to normal (${items})`;
  return { holds, ...runFacts(r, what, lines, labels) };
}

function statusShare(status: string, r: FinishedRunFacts): { count: number; total: number } {
  const total = r.summary?.responses.total ?? 0;
  if (/^[1-5]xx$/.test(status)) {
    const cls = status as '1xx' | '2xx' | '3xx' | '4xx' | '5xx';
    return { count: r.summary?.responses[cls] ?? 0, total };
  }
  const v = r.stats?.[`downloader/response_status_count/${status}`];
  return { count: typeof v === 'number' ? v : 0, total };
}

export function judgeErrors(c: Of<'job_errors'>, r: FinishedRunFacts): Verdict {
  const errors = r.summary?.errors ?? 0;
  const lines: string[] = [];
  const labels: Record<string, string> = { errors: String(errors) };
  let holds = false;
  if (c.maxErrors !== undefined) {
    lines.push(`Errors: ${errors} (at most ${c.maxErrors})`);
    if (errors > c.maxErrors) holds = true;
  }
  if (c.httpStatus !== undefined && c.maxStatusPercent !== undefined) {
    const { count, total } = statusShare(c.httpStatus, r);
    const share = total === 0 ? 0 : (count / total) * 100;
    lines.push(
      `HTTP ${c.httpStatus}: ${count} of ${total} responses (${share.toFixed(1)}%, at most ${c.maxStatusPercent}%)`,
    );
    labels.status_share_percent = share.toFixed(1);
    if (share > c.maxStatusPercent) holds = true;
  }
  return { holds, ...runFacts(r, holds ? 'too many errors' : 'errors back to normal', lines, labels) };
}

export function judgeNode(c: NodeCondition, n: NodeInfo, now: number, offlineCounts: boolean): Verdict {
  const labels = { node_id: n.nodeId, ...(n.hostname ? { hostname: n.hostname } : {}) };
  if (c.kind === 'node_offline') {
    const since = n.lastSeen === null ? 'never seen' : `last seen ${new Date(n.lastSeen).toISOString()}`;
    const holds = !n.online && offlineCounts;
    return {
      holds,
      summary: n.online ? `node ${n.nodeId} online` : `node ${n.nodeId} offline`,
      detail: `Node: ${n.nodeId}${n.hostname ? ` (${n.hostname})` : ''}\n${n.online ? 'Online again' : `Offline, ${since}`}`,
      labels,
    };
  }
  const value = resourcePercent(c.resource, n, now);
  const holds = value !== null && value > c.abovePercent;
  const shown = value === null ? 'unknown' : `${value.toFixed(1)}%`;
  return {
    holds,
    summary: `node ${n.nodeId} ${c.resource} ${shown}${holds ? ` above ${c.abovePercent}%` : ''}`,
    detail: `Node: ${n.nodeId}\n${c.resource}: ${shown} (threshold ${c.abovePercent}%)`,
    labels: { ...labels, resource: c.resource, value_percent: shown },
  };
}

/** A host sample older than this says nothing about now. */
const HOST_SAMPLE_MAX_AGE_MS = 120_000;

export function resourcePercent(resource: 'cpu' | 'memory' | 'disk', n: NodeInfo, now: number): number | null {
  const h = n.host;
  if (!n.online || !h || now - h.at > HOST_SAMPLE_MAX_AGE_MS) return null;
  if (resource === 'cpu') return h.cpuPercent;
  const [used, total] = resource === 'memory' ? [h.memUsedBytes, h.memTotalBytes] : [h.diskUsedBytes, h.diskTotalBytes];
  return total > 0 ? (used / total) * 100 : null;
}

export interface FireFacts {
  scheduleId: string;
  scheduledAt: number;
  trigger: string;
  status: string;
  reasonCode: string | null;
  reason: string | null;
  jobId: string | null;
}

/**
 * Which problem a fire is: missed (it fell while the master was down), skipped, failed; null for a fire that
 * ran on time (which resolves) or one still waiting (which says nothing yet).
 */
export function fireProblem(f: FireFacts): 'missed' | 'skipped' | 'failed' | 'ok' | null {
  if (f.status === 'failed') return 'failed';
  if (f.trigger === 'misfire' || f.trigger === 'backfill' || f.reasonCode === 'misfire') return 'missed';
  if (f.status === 'skipped') return 'skipped';
  if (f.status === 'queued') return 'ok';
  return null;
}

export function judgeFire(c: Of<'schedule_fire'>, f: FireFacts): Verdict | null {
  const p = fireProblem(f);
  if (p === null) return null;
  const holds = p !== 'ok' && c.on.includes(p);
  const at = new Date(f.scheduledAt).toISOString();
  return {
    holds,
    summary: holds ? `schedule ${f.scheduleId} fire ${p} (${at})` : `schedule ${f.scheduleId} fired on time (${at})`,
    detail: [
      `Schedule: ${f.scheduleId}`,
      `Fire: ${at} (${f.trigger}) ${f.status}`,
      ...(f.reason ? [`Reason: ${f.reason}`] : []),
      ...(f.jobId ? [`Job: ${f.jobId}`] : []),
    ].join('\n'),
    labels: { schedule_id: f.scheduleId, status: f.status, ...(f.jobId ? { job_id: f.jobId } : {}) },
  };
}
