/** Where the browser tests and the UI bench find Debian's Chromium, and how they launch it. */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = process.env.SCRAPYARD_TEST_CHROMIUM || '/usr/bin/chromium';

/** Headless Chromium; no Chromium: an error that says how to install it (a browser test fails, never skips). */
export function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `browser tests need Chromium at ${CHROMIUM}: install it (apt-get install -y chromium, or ` +
        'SCRAPYARD_INSTALL_TEST_TOOLS=1 bash scripts/install.sh), or set SCRAPYARD_TEST_CHROMIUM',
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // Root in a container has no user namespace for Chromium's sandbox; /dev/shm is small there.
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
  });
}
