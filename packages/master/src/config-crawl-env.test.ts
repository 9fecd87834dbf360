import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ConfigError, loadMasterConfig } from './config-load.js';

void test('crawl_env_passthrough: names and PREFIX_* from [scrapyard] or the environment; anything else refused', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'scrapyd.conf');
  writeFileSync(file, '[scrapyard]\ncrawl_env_passthrough = MYAPP_*, API_KEY\n');
  assert.deepEqual(loadMasterConfig({}).crawlEnvPassthrough, []);
  assert.deepEqual(loadMasterConfig({ file }).crawlEnvPassthrough, ['MYAPP_*', 'API_KEY']);
  assert.deepEqual(loadMasterConfig({ file, env: { SCRAPYARD_CRAWL_ENV_PASSTHROUGH: 'OTHER' } }).crawlEnvPassthrough, [
    'OTHER',
  ]);
  assert.throws(
    () => loadMasterConfig({ env: { SCRAPYARD_CRAWL_ENV_PASSTHROUGH: 'A=B' } }),
    (e: unknown) =>
      e instanceof ConfigError && /SCRAPYARD_CRAWL_ENV_PASSTHROUGH=A=B: expected a variable name/.test(e.message),
  );
});
