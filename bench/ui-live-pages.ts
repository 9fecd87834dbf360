/**
 * The pages bench/ui-live-busy.ts watches: where each is and when it is ready, what counters it shows, what the
 * master stored for them (what the page must settle on once the crawls are quiet), and the counter of the events
 * its live stream received. Runs in the bench's process; the page functions run in Chromium.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { JsonChild } from './cluster.js';

export const JOBS = 50;
export const PAGES = ['dashboard', 'running jobs', 'job page'] as const;
export type PageName = (typeof PAGES)[number];

/** What one page showed: counters by key (job id, or the job page's counter names), and the log bytes held. */
export type Shown = { counters: Record<string, number>; logEnd: number | null };

/** The part of an EventSource the counter uses (this file is type-checked without the DOM's types). */
type Source = new (url: string, init?: unknown) => { addEventListener(type: string, fn: () => void): void };

/** Counts what the page's live stream receives: its job.stats events and its resets. */
export const COUNT_EVENTS = () => {
  const w = globalThis as unknown as { __bench: Record<string, number>; EventSource: Source };
  w.__bench = { stats: 0, resets: 0 };
  const Base = w.EventSource;
  w.EventSource = class extends Base {
    constructor(url: string, init?: unknown) {
      super(url, init);
      this.addEventListener('job.stats', () => w.__bench.stats!++);
      this.addEventListener('reset', () => w.__bench.resets!++);
    }
  };
};

const number = (text: string | null | undefined) => Number((text ?? '').replace(/[^0-9]/g, '') || Number.NaN);

export async function shown(page: Page, name: PageName): Promise<Shown> {
  const cells =
    name === 'dashboard'
      ? await page.$$eval('[data-running-job]', (rows) =>
          rows.map((r) => [r.getAttribute('data-running-job')!, r.querySelector('[data-items]')?.textContent ?? '']),
        )
      : name === 'running jobs'
        ? await page.$$eval('tr[data-job]', (rows) =>
            rows.map((r) => [r.getAttribute('data-job')!, r.querySelector('td.num')?.textContent ?? '']),
          )
        : await page.$$eval(
            '#stats [data-counter]',
            (els) =>
              els
                .map((e) => [e.getAttribute('data-counter')!, e.querySelector('dd')?.textContent ?? ''])
                .filter(([k]) => k !== 'errors'), // the simulated crawls log no error
          );
  const end = name === 'job page' ? await page.locator('.log-viewer').getAttribute('data-end') : null;
  return {
    counters: Object.fromEntries(cells.map(([k, v]) => [k, number(v)])),
    logEnd: end === null ? null : Number(end),
  };
}

export interface Env {
  url: string;
  token: string;
  dataDir: string;
  sim: JsonChild;
}

export async function api(env: Env, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const r = await fetch(`${env.url}/api/v1/${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: {
      authorization: `Bearer ${env.token}`,
      ...(body !== undefined && { 'content-type': 'application/json' }),
    },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  if (!r.ok) throw new Error(`${path}: ${r.status} ${await r.text()}`);
  return (await r.json()) as Record<string, unknown>;
}

export interface JobRow {
  id: string;
  stats: { items: number; requests: number; responses: { total: number } } | null;
}
export const runningJobs = async (env: Env) =>
  (await api(env, `jobs?state=running&limit=100`)).jobs as unknown as JobRow[];

/** What the page should show once the crawls are quiet: the master's stored values. */
export async function expected(env: Env, name: PageName, jobId: string): Promise<Shown> {
  const jobs = await runningJobs(env);
  if (name !== 'job page') {
    return { counters: Object.fromEntries(jobs.map((j) => [j.id, j.stats?.items ?? 0])), logEnd: null };
  }
  const s = jobs.find((j) => j.id === jobId)?.stats;
  const log = join(env.dataDir, 'logs', 'demo', 'live', `${jobId}.log`);
  return {
    counters: s ? { items: s.items, requests: s.requests, responses: s.responses.total } : {},
    logEnd: statSync(log, { throwIfNoEntry: false })?.size ?? 0,
  };
}

export const differences = (got: Shown, want: Shown) =>
  Object.entries(want.counters).filter(([k, v]) => got.counters[k] !== v).length +
  (want.logEnd !== null && got.logEnd !== want.logEnd ? 1 : 0);

/** Where each page is and when it is ready to measure (its data loaded: rows, or the empty state). */
export function target(name: PageName, jobId: string, live: boolean): { path: string; ready: string } {
  if (name === 'dashboard') {
    return { path: '/ui/', ready: live ? `[data-running-job] >> nth=${JOBS - 1}` : 'text=Nothing is running.' };
  }
  if (name === 'running jobs') {
    return { path: '/ui/jobs?state=running', ready: live ? `tr[data-job] >> nth=${JOBS - 1}` : '.empty-state' };
  }
  return { path: `/ui/jobs/${jobId}?project=demo`, ready: live ? '.chart-box canvas' : '#stats [data-counter]' };
}
