/**
 * The web UI's first load (issue 19's budgets): the JavaScript bytes, gzip, of what /ui/ loads first (every script
 * and modulepreload its index.html names, each gzipped as a server would send it), and the time from navigation to
 * the shell being usable (the nav of the user's sections rendered) in headless Chromium on loopback: a fresh
 * context per run (cold cache), a session cookie set beforehand, `performance.now()` at that moment (ms since the
 * navigation started); median over the runs. Baseline: Scrapyd's `/` page (server-rendered, no script) until its
 * load event, the same way. Targets: ≤ 100 KB gzip, ≤ 1 s.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../test/helpers/chromium.js';
import { fmt, median, startMaster, stop } from './lib.js';

const ADMIN = { username: 'bench-admin', password: 'bench-admin-password-0123' };
const USER = { name: 'bench-ui', password: 'bench-ui-password-0123' };

export interface UiLoad {
  jsGzipBytes: number;
  chunks: number;
  usableMs: number;
  bareMs: number;
}

/** The scripts index.html loads before anything renders: its module scripts and modulepreloads. */
export function firstLoadScripts(html: string): string[] {
  const urls = [
    ...html.matchAll(/<script\b[^>]*\bsrc="([^"]+)"/g),
    ...html.matchAll(/<link\b[^>]*\brel="modulepreload"[^>]*\bhref="([^"]+)"/g),
  ].map((m) => m[1]!);
  return [...new Set(urls)];
}

async function jsBytes(url: string): Promise<{ bytes: number; chunks: number }> {
  const scripts = firstLoadScripts(await (await fetch(`${url}/ui/`)).text());
  if (scripts.length === 0) throw new Error('/ui/ loads no script: is packages/ui built (pnpm build)?');
  let bytes = 0;
  for (const src of scripts) {
    bytes += gzipSync(Buffer.from(await (await fetch(new URL(src, url))).arrayBuffer())).length;
  }
  return { bytes, chunks: scripts.length };
}

async function timeToUsable(browser: Browser, url: string, runs: number) {
  const usable: number[] = [];
  const bare: number[] = [];
  for (let i = 0; i < runs; i++) {
    const context = await browser.newContext({ baseURL: url, viewport: { width: 1280, height: 800 } });
    try {
      const login = await context.request.post('/api/v1/session', { data: USER });
      if (login.status() !== 201) throw new Error(`login: ${login.status()} ${await login.text()}`);
      const page = await context.newPage();
      await page.goto('/ui/', { waitUntil: 'commit' });
      await page.locator('nav[aria-label="Sections"] a[aria-current="page"]').waitFor();
      usable.push(await page.evaluate(() => performance.now()));
      await page.goto('/', { waitUntil: 'load' });
      bare.push(await page.evaluate(() => performance.now()));
    } finally {
      await context.close();
    }
  }
  return { usableMs: median(usable), bareMs: median(bare) };
}

export async function uiLoad(opts: { runs: number }): Promise<UiLoad> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-ui-'));
  const m = await startMaster(dataDir, { SCRAPYD_USERNAME: ADMIN.username, SCRAPYD_PASSWORD: ADMIN.password }, [
    '--no-local-agent',
  ]);
  const browser = await launchChromium();
  try {
    const created = await fetch(`${m.url}/api/v1/users`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Basic ${Buffer.from(`${ADMIN.username}:${ADMIN.password}`).toString('base64')}`,
      },
      body: JSON.stringify({ ...USER, grants: [{ role: 'admin', projects: '*' }] }),
    });
    if (!created.ok) throw new Error(`user add: ${created.status} ${await created.text()}`);
    const { bytes, chunks } = await jsBytes(m.url);
    // One run first, unmeasured: the master's first answers and Chromium's own start-up are not the UI's.
    await timeToUsable(browser, m.url, 1);
    return { jsGzipBytes: bytes, chunks, ...(await timeToUsable(browser, m.url, opts.runs)) };
  } finally {
    await browser.close();
    await stop(m);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export function uiLoadRows(r: UiLoad): [string, string, string, string, string][] {
  return [
    ['web UI first load: JavaScript, gzip (KB)', fmt(r.jsGzipBytes / 1000, 1), `${r.chunks} script(s)`, '', '≤ 100'],
    [
      'web UI: navigation → shell usable, Chromium, loopback (ms)',
      fmt(r.usableMs),
      `Scrapyd / page load ${fmt(r.bareMs)}`,
      `+${fmt(r.usableMs - r.bareMs)} ms`,
      '≤ 1000',
    ],
  ];
}
