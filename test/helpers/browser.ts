/**
 * Browser tests: headless Debian Chromium (`/usr/bin/chromium`, or SCRAPYARD_TEST_CHROMIUM) driven by
 * playwright-core. One browser per file (`openBrowser()`, closed after the file), a fresh context per test
 * (`withPage`: no cookie or storage leaks between tests). When a test fails, its screenshot and the page's console
 * are saved under test-output/ and their paths printed. No Chromium: the test fails with the reason, never skips.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { after, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from './chromium.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const OUTPUT = join(ROOT, 'test-output');

let launched: Promise<Browser> | undefined;
// Registered at import, on the file's root: the browser outlives each test and closes after the last.
after(async () => (await launched)?.close());

/** The file's browser, launched on first use and closed when the file's tests are done. */
export function openBrowser(): Promise<Browser> {
  launched ??= launchChromium();
  return launched;
}

export interface ConsoleLine {
  type: string;
  text: string;
  /** The script or resource it is about (a failed fetch: the URL asked for). */
  url: string;
}

export interface BrowserPage {
  page: Page;
  context: BrowserContext;
  /** Everything the page logged, its uncaught errors and failed requests, in order. */
  console: ConsoleLine[];
  /** Console errors and uncaught exceptions (a CSP violation is one). */
  errors(): ConsoleLine[];
}

/**
 * Runs `fn` with a page of a fresh context on `baseURL`. On failure: `test-output/<file>/<test>/screenshot.png` and
 * `console.log`, paths printed, then the failure is rethrown.
 */
export async function withPage(
  t: TestContext,
  baseURL: string,
  fn: (p: BrowserPage) => Promise<void>,
  viewport = { width: 1280, height: 800 },
): Promise<void> {
  const browser = await openBrowser();
  const context = await browser.newContext({ baseURL, viewport });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  const lines: ConsoleLine[] = [];
  page.on('console', (m) => lines.push({ type: m.type(), text: m.text(), url: m.location().url }));
  page.on('pageerror', (e) => lines.push({ type: 'pageerror', text: e.stack ?? e.message, url: page.url() }));
  page.on('requestfailed', (r) =>
    lines.push({ type: 'requestfailed', text: `${r.method()} ${r.url()}`, url: r.url() }),
  );
  const p: BrowserPage = {
    page,
    context,
    console: lines,
    errors: () => lines.filter((l) => l.type === 'error' || l.type === 'pageerror'),
  };
  try {
    await fn(p);
  } catch (e) {
    await saveEvidence(t, p).catch((err: unknown) => t.diagnostic(`could not save the evidence: ${String(err)}`));
    throw e;
  } finally {
    await context.close();
  }
}

async function saveEvidence(t: TestContext, p: BrowserPage): Promise<void> {
  const file = basename(process.argv[1] ?? 'test').replace(/\.test\.[tj]s$/, '');
  // The same file runs on both stores at once: each run keeps its own.
  const store = process.env.SCRAPYARD_TEST_STORE || 'sqlite';
  const dir = join(OUTPUT, `${file}.${store}`, t.name.replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 80));
  mkdirSync(dir, { recursive: true });
  const screenshot = join(dir, 'screenshot.png');
  const log = join(dir, 'console.log');
  writeFileSync(log, `${p.page.url()}\n${p.console.map((l) => `[${l.type}] ${l.text} (${l.url})`).join('\n')}\n`);
  await p.page.screenshot({ path: screenshot, fullPage: true, timeout: 5_000 });
  const where = `the page at failure: ${screenshot}\nits console: ${log}`;
  t.diagnostic(where);
  console.error(where);
}
