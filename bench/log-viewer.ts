/**
 * Log viewer at size: a finished job's log is replaced by a 1 GiB file (Scrapy-format lines, a block repeated),
 * then /ui/jobs/:id/log opens in Chromium (playwright-core, /usr/bin/chromium). Measured per run, on a fresh page:
 * the time from navigation to the file's last line visible, and the page's JS heap and DOM node count (CDP
 * Performance.getMetrics) once open, and again after reading 30 chunks upward (the bounded chunk store must keep
 * it flat). Medians over the runs. The file is deleted at the end.
 */
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Page } from 'playwright-core';
import { launchChromium } from '../test/helpers/chromium.js';
import { heldStart, rowInView } from '../test/helpers/log-viewer.js';
import { adminToken } from './deliveries.js';
import { deploy, get, median, post, startMaster, stop, waitFor } from './lib.js';

const GIB = 1024 * 1024 * 1024;
const LAST = 'BENCH_LAST_LINE the end of the log';
const USER = { name: 'bench', password: 'bench-password-1' };

/** `bytes` of Scrapy log lines of every level, the last one LAST. */
function writeLog(path: string, bytes: number): void {
  mkdirSync(dirname(path), { recursive: true });
  const levels = ['DEBUG', 'INFO', 'INFO', 'WARNING', 'ERROR'];
  let block = '';
  for (let i = 0; block.length < 1024 * 1024; i++) {
    block += `2026-12-07 01:00:00 [scrapy.core.engine] ${levels[i % 5]}: Crawled (200) <GET https://example.com/page/${i}> (referer: None)\n`;
  }
  const buf = Buffer.from(block);
  const fd = openSync(path, 'w');
  try {
    for (let n = 0; n + buf.length <= bytes; n += buf.length) writeSync(fd, buf);
    writeSync(fd, `2026-12-07 01:00:01 [bench] INFO: ${LAST}\n`);
  } finally {
    closeSync(fd);
  }
}

async function metrics(page: Page): Promise<{ heapMb: number; nodes: number }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('Performance.enable');
  const { metrics: m } = await cdp.send('Performance.getMetrics');
  const of = (name: string) => m.find((x) => x.name === name)?.value ?? Number.NaN;
  await cdp.detach();
  return { heapMb: of('JSHeapUsedSize') / 1024 / 1024, nodes: of('Nodes') };
}

export async function logViewerAtSize(o: { runs: number; quick: boolean }) {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-logview-'));
  const master = await startMaster(dataDir, {});
  const browser = await launchChromium();
  try {
    await deploy(master.url);
    const job = String((await post(master.url, 'schedule.json', { project: 'demo', spider: 'quick' })).jobid);
    await waitFor(
      async () => ((await get(master.url, `status.json?job=${job}`)).currstate as string) === 'finished',
      60_000,
      'the quick job to finish',
      200,
    );
    // A user closes the Scrapyd API to strangers: added once the job is done.
    const created = await fetch(`${master.url}/api/v1/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await adminToken(dataDir)}` },
      body: JSON.stringify({ ...USER, grants: [{ role: 'admin', projects: '*' }] }),
    });
    if (created.status !== 201) throw new Error(`user add: ${created.status} ${await created.text()}`);
    const log = join(dataDir, 'logs', 'demo', 'quick', `${job}.log`);
    const size = o.quick ? GIB / 8 : GIB;
    const t0 = Date.now();
    writeLog(log, size);
    const writeMs = Date.now() - t0;

    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const login = await context.request.post(`${master.url}/api/v1/session`, { data: USER });
    if (!login.ok()) throw new Error(`login: ${login.status()}`);
    const open: number[] = [];
    const heap: number[] = [];
    const nodes: number[] = [];
    const heapAfter: number[] = [];
    const nodesAfter: number[] = [];
    for (let r = 0; r < o.runs; r++) {
      const page = await context.newPage();
      await page.goto(`${master.url}/ui/jobs/${job}/log?project=demo`, { waitUntil: 'commit' });
      // Milliseconds since the navigation started, read in the page when the last line is in view.
      open.push(await rowInView(page, LAST));
      const m = await metrics(page);
      heap.push(m.heapMb);
      nodes.push(m.nodes);
      // Read 30 chunks upward: the first byte held goes down as each earlier chunk joins.
      const viewport = page.locator('.log-viewport');
      for (let i = 0; i < 30; i++) {
        const before = await heldStart(page);
        await viewport.evaluate((el) => (el.scrollTop = 0));
        await waitFor(async () => (await heldStart(page)) !== before, 30_000, 'an earlier chunk read');
      }
      const after = await metrics(page);
      heapAfter.push(after.heapMb);
      nodesAfter.push(after.nodes);
      await page.close();
    }
    await context.close();
    rmSync(log, { force: true });
    return {
      sizeMb: size / 1024 / 1024,
      writeMs,
      openMs: median(open),
      heapMb: median(heap),
      nodes: median(nodes),
      heapAfterMb: median(heapAfter),
      nodesAfter: median(nodesAfter),
    };
  } finally {
    await browser.close();
    await stop(master);
    rmSync(dataDir, { recursive: true, force: true });
  }
}
