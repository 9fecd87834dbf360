/** For the config-message unit tests of both daemons: a file to load, and the lines a configuration is refused with. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';

export function tempConfigFile(t: TestContext, name: string, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'scrapyard-cfg-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

/** The problems `load` throws, one per line as the user reads them (`linesOf`: undefined for any other error). */
export function refusal(load: () => unknown, linesOf: (e: unknown) => string[] | undefined): string[] {
  try {
    load();
  } catch (e) {
    const lines = linesOf(e);
    if (lines) return lines;
    throw e;
  }
  assert.fail('the configuration was accepted');
}
