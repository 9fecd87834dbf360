/** The log viewer as a browser test and the log-viewer bench see it (packages/ui/src/pages/job/log-viewer). */
import type { Page } from 'playwright-core';

interface Box {
  top: number;
  bottom: number;
}
interface Doc {
  querySelector(s: string): { getBoundingClientRect(): Box; getAttribute(n: string): string | null } | null;
  querySelectorAll(s: string): Iterable<{ textContent: string | null; getBoundingClientRect(): Box }>;
}
/** In the page: this file is type-checked without the DOM's types, so what the page function uses is declared. */
type PageGlobals = { document: Doc; performance: { now(): number } };

/**
 * Waits until the last row holding `text` is inside the viewer's visible box; answers the page's clock then (ms
 * since its navigation started). Checked on every animation frame.
 */
export async function rowInView(page: Page, text: string, timeout = 30_000): Promise<number> {
  const handle = await page.waitForFunction(
    (want) => {
      const { document, performance } = globalThis as unknown as PageGlobals;
      const box = document.querySelector('.log-viewport')?.getBoundingClientRect();
      const rows = [...document.querySelectorAll('.log-line')].reverse();
      const r = rows.find((l) => l.textContent?.includes(want))?.getBoundingClientRect();
      return box && r && r.top >= box.top && r.bottom <= box.bottom + 1 ? performance.now() : false;
    },
    text,
    { polling: 'raf', timeout },
  );
  return Number(await handle.jsonValue());
}

/** The first byte the viewer holds (it goes down as earlier chunks are read). */
export const heldStart = (page: Page) => page.locator('.log-viewer').getAttribute('data-start');
