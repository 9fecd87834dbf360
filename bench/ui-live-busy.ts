/**
 * The web UI's main thread with 50 crawls updating live (issue 19's last budget: under 20 % busy). A real master
 * (no local agent) holds one simulated agent with 50 slots (bench/sim-agents.ts `--crawls`, its own process): it
 * takes 50 jobs and reports each one's Scrapy stats every second, with the log lines its requests wrote, over the
 * real agent protocol. Headless Chromium, logged in, opens in turn the dashboard, the jobs list filtered to running
 * and one running job's page (its charts, its log following the live tail). After the page settles, the busy
 * fraction of the page's main thread over a window: Δ TaskDuration / Δ Timestamp of CDP `Performance.getMetrics`
 * (the renderer main thread's task time, see bench/README.md). Baseline, same run, same pages: 0 running jobs
 * (the dashboard and the list empty, the page of a finished job).
 *
 * Liveness, per page: the counters it shows changed over the window (every row), the job.stats events its stream
 * received, the stream's resets; then the simulated crawls pause and every counter shown must settle on what the
 * master stored (and the log viewer on the log file's size): anything else is counted lost.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BrowserContext } from 'playwright-core';
import { AGENT_WS_PATH } from '@scrapyard/protocol';
import { launchChromium } from '../test/helpers/chromium.js';
import { CLK_TCK, jsonChild } from './cluster.js';
import { adminToken } from './deliveries.js';
import { ROOT, cpuTicks, deploy, fmt, median, startMaster, stop, waitFor } from './lib.js';
import {
  COUNT_EVENTS,
  JOBS,
  PAGES,
  api,
  differences,
  expected,
  runningJobs,
  shown,
  target,
  type Env,
  type PageName,
} from './ui-live-pages.js';

/**
 * Each crawl reports every second: just over it, as the master keeps at most one live report per run a second
 * (jobs/live-stats.ts) and a report that arrives a few ms early, on a loaded machine, would be dropped.
 */
const STATS_MS = 1_020;
/** A directory: a CPU profile of each window is written there (Chrome DevTools opens them); it slows the page. */
const PROFILE = process.env.BENCH_UI_PROFILE;
const USER = { name: 'bench-live', password: 'bench-live-password-0123' };
interface Window {
  busy: number;
  /** CPU time of the renderer's main thread over the window's wall time (/proc): what the machine's load can't inflate. */
  cpu: number;
  script: number;
  layout: number;
  /** job.stats events the page's stream received, per second. */
  eventsPerS: number;
  resets: number;
  /** Counters shown / of them changed over the window. */
  shown: number;
  changed: number;
  /** Counters (and the log) not on the master's stored value once the crawls paused. */
  lost: number;
}

/** CPU ticks of each renderer's main thread (the thread whose id is the process's), by renderer pid. */
async function rendererTicks(context: BrowserContext): Promise<Map<number, number>> {
  const cdp = await context.browser()!.newBrowserCDPSession();
  try {
    const { processInfo } = await cdp.send('SystemInfo.getProcessInfo');
    const out = new Map<number, number>();
    for (const p of processInfo.filter((x) => x.type === 'renderer')) {
      try {
        out.set(p.id, cpuTicks(p.id, p.id));
      } catch {
        // a spare renderer gone meanwhile
      }
    }
    return out;
  } finally {
    await cdp.detach();
  }
}

async function measure(
  context: BrowserContext,
  env: Env,
  name: PageName,
  jobId: string,
  live: boolean,
  seconds: number,
): Promise<Window> {
  const page = await context.newPage();
  try {
    const t = target(name, jobId, live);
    await page.goto(`${env.url}${t.path}`);
    await page.locator(t.ready).first().waitFor({ timeout: 30_000 });
    await sleep(3_000); // lazy chunks (charts), first fetches and their renders are not the steady state
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable', { timeDomain: 'timeTicks' });
    const metrics = async () => {
      const { metrics: m } = await cdp.send('Performance.getMetrics');
      return (k: string) => m.find((x) => x.name === k)?.value ?? Number.NaN;
    };
    const count = () =>
      page.evaluate(() => ({ ...(globalThis as unknown as { __bench: Record<string, number> }).__bench }));
    const before = await shown(page, name);
    const e0 = await count();
    if (PROFILE) await cdp.send('Profiler.enable').then(() => cdp.send('Profiler.start'));
    const t0 = await rendererTicks(context);
    const w0 = performance.now();
    const m0 = await metrics();
    await sleep(seconds * 1000);
    const m1 = await metrics();
    const t1 = await rendererTicks(context);
    const cpuS = (performance.now() - w0) / 1000;
    // The page's renderer is the one whose main thread worked: the others (spares) sleep.
    const ticks = Math.max(0, ...[...t1].map(([pid, t]) => t - (t0.get(pid) ?? t)));
    if (PROFILE) {
      const { profile } = await cdp.send('Profiler.stop');
      writeFileSync(
        join(PROFILE, `${name.replace(' ', '-')}-${live ? 'live' : 'idle'}.cpuprofile`),
        JSON.stringify(profile),
      );
    }
    const e1 = await count();
    const after = await shown(page, name);
    const wall = m1('Timestamp') - m0('Timestamp');
    const share = (...keys: string[]) => keys.reduce((a, k) => a + (m1(k) - m0(k)), 0) / wall;
    const keys = Object.keys(after.counters);
    const changed = keys.filter((k) => before.counters[k] !== undefined && before.counters[k] !== after.counters[k]);
    let lost = 0;
    if (live) {
      // Quiet: the last report of every run reaches the page within the stream's one-a-second throttle.
      env.sim.proc.stdin!.write('pause\n');
      await sleep(1_500);
      const want = await expected(env, name, jobId);
      try {
        await waitFor(async () => differences(await shown(page, name), want) === 0, 5_000, 'page to settle', 100);
      } catch {
        lost = differences(await shown(page, name), want);
      }
      env.sim.proc.stdin!.write('resume\n');
    }
    await cdp.detach();
    return {
      busy: share('TaskDuration'),
      cpu: ticks / CLK_TCK / cpuS,
      script: share('ScriptDuration'),
      layout: share('LayoutDuration', 'RecalcStyleDuration'),
      eventsPerS: (e1.stats! - e0.stats!) / wall,
      resets: e1.resets! - e0.resets!,
      shown: keys.length,
      changed: changed.length,
      lost,
    };
  } finally {
    await page.close();
  }
}

async function oneRun(seconds: number): Promise<Record<PageName, { idle: Window; live: Window }>> {
  const secret = randomBytes(24).toString('hex');
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-uilive-'));
  const m = await startMaster(
    dataDir,
    { SCRAPYARD_TEMPORARY_NODES: 'on', SCRAPYARD_TEMPORARY_NODE_SECRET: secret, SCRAPYARD_MAX_PROC: String(JOBS) },
    ['--no-local-agent'],
  );
  const sim = jsonChild(
    process.execPath,
    [
      '--conditions=@scrapyard/source',
      '--import',
      'tsx',
      join(ROOT, 'bench/sim-agents.ts'),
      ...['--url', `${m.url.replace('http', 'ws')}${AGENT_WS_PATH}`, '--agents', '1', '--prefix', 'bench-node'],
      ...['--crawls', '--slots', String(JOBS), '--stats-ms', String(STATS_MS)],
    ],
    { ...process.env, BENCH_TEMPORARY_SECRET: secret },
  );
  const browser = await launchChromium();
  try {
    const connected = await sim.next('connected', 30_000);
    if (connected.connected !== 1) throw new Error(`the simulated agent did not get in: ${JSON.stringify(connected)}`);
    const env: Env = { url: m.url, token: await adminToken(dataDir), dataDir, sim };
    await deploy(m.url); // before any user: the Scrapyd API is still open
    await api(env, 'users', { ...USER, grants: [{ role: 'admin', projects: '*' }] });
    // A job that ran a few seconds and was cancelled: the job page's baseline (its charts and log, nothing live).
    const done = String((await api(env, 'jobs', { project: 'demo', spider: 'live' })).id);
    await waitFor(async () => (await runningJobs(env)).some((j) => (j.stats?.items ?? 0) > 20), 30_000, 'warm-up');
    await api(env, `jobs/${done}/cancel`, { project: 'demo' });
    await waitFor(async () => (await runningJobs(env)).length === 0, 30_000, 'warm-up job to end');

    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.addInitScript(COUNT_EVENTS);
    const login = await context.request.post(`${m.url}/api/v1/session`, { data: USER });
    if (!login.ok()) throw new Error(`login: ${login.status()}`);
    const idle = {} as Record<PageName, Window>;
    for (const name of PAGES) idle[name] = await measure(context, env, name, done, false, seconds);

    for (let i = 0; i < JOBS; i++) await api(env, 'jobs', { project: 'demo', spider: 'live' });
    await waitFor(async () => (await runningJobs(env)).length === JOBS, 60_000, `${JOBS} jobs running`, 200);
    const followed = (await runningJobs(env))[0]!.id;
    const out = {} as Record<PageName, { idle: Window; live: Window }>;
    for (const name of PAGES) {
      out[name] = { idle: idle[name], live: await measure(context, env, name, followed, true, seconds) };
    }
    await context.close();
    return out;
  } finally {
    await browser.close();
    sim.proc.kill('SIGTERM');
    await sim.exited;
    await stop(m);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export type UiLiveBusy = { seconds: number; pages: Record<PageName, { idle: Window; live: Window }> };

export async function uiLiveBusy(o: { runs: number; quick: boolean }): Promise<UiLiveBusy> {
  const seconds = o.quick ? 10 : 30;
  const runs: Awaited<ReturnType<typeof oneRun>>[] = [];
  for (let i = 0; i < o.runs; i++) runs.push(await oneRun(seconds));
  const med = (f: (w: Window) => number, name: PageName, side: 'idle' | 'live') =>
    median(runs.map((r) => f(r[name][side])));
  const worst = (f: (w: Window) => number, name: PageName) => Math.max(...runs.map((r) => f(r[name].live)));
  const pages = {} as UiLiveBusy['pages'];
  for (const name of PAGES) {
    const side = (s: 'idle' | 'live'): Window => ({
      busy: med((w) => w.busy, name, s),
      cpu: med((w) => w.cpu, name, s),
      script: med((w) => w.script, name, s),
      layout: med((w) => w.layout, name, s),
      eventsPerS: med((w) => w.eventsPerS, name, s),
      resets: worst((w) => w.resets, name),
      shown: med((w) => w.shown, name, s),
      changed: Math.min(...runs.map((r) => r[name][s].changed)),
      lost: worst((w) => w.lost, name),
    });
    pages[name] = { idle: side('idle'), live: side('live') };
  }
  return { seconds, pages };
}

const pct = (x: number) => fmt(x * 100);

export function uiLiveBusyRows(r: UiLiveBusy): [string, string, string, string, string][] {
  return PAGES.flatMap((name): [string, string, string, string, string][] => {
    const { idle, live } = r.pages[name];
    return [
      [
        `UI main thread busy, ${JOBS} crawls live, ${name} (% of ${r.seconds} s)`,
        `${pct(live.busy)} (script ${pct(live.script)}, style+layout ${pct(live.layout)}; CPU ${pct(live.cpu)})`,
        `idle ${pct(idle.busy)} (CPU ${pct(idle.cpu)})`,
        `+${fmt((live.busy - idle.busy) * 100)} pts`,
        '< 20',
      ],
      [
        `UI live, ${name}: stats events/s received; counters changed / shown`,
        `${fmt(live.eventsPerS)}/s; ${live.changed} / ${live.shown}`,
        `idle ${fmt(idle.eventsPerS)}/s`,
        `lost ${live.lost}, resets ${live.resets}`,
        '0 lost',
      ],
    ];
  });
}
