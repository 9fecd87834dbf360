/**
 * An egg whose install_requires is a direct reference (`pkg @ file://…`, the same shape as `pkg @ https://…` or
 * `git+…`) would let it fetch code from wherever it likes, around an offline `pip_no_index` policy. Refused at
 * deploy, with the reason, and nothing stored, unless `pip_allow_direct_urls` is on; then it installs and runs.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ScrapydClient } from '../helpers/clients.js';
import { schedule, waitFinished } from '../helpers/jobs.js';
import { startMaster, tempDir } from '../helpers/processes.js';
import { copySources, FIXTURES_DIR, PYTHON, runOffline } from '../helpers/python.js';
import { buildTestdepWheelhouse } from '../helpers/wheels.js';

/** The withreq project, its requirement turned into a direct reference to the test wheel. */
async function directRefEgg(work: string): Promise<{ egg: Buffer; requirement: string }> {
  const wheelhouse = await buildTestdepWheelhouse();
  const wheel = readdirSync(wheelhouse).find((f) => f.endsWith('.whl'))!;
  const requirement = `scrapyard-testdep @ file://${join(wheelhouse, wheel)}`;
  const src = join(work, 'src');
  await copySources(join(FIXTURES_DIR, 'projects', 'withreq'), src);
  const setup = readFileSync(join(src, 'setup.py'), 'utf8');
  assert.match(setup, /"scrapyard-testdep==1\.0"/);
  writeFileSync(join(src, 'setup.py'), setup.replace('"scrapyard-testdep==1.0"', JSON.stringify(requirement)));
  await runOffline(PYTHON, ['setup.py', '-q', 'bdist_egg', '-d', join(work, 'out')], src);
  const [built] = readdirSync(join(work, 'out')).filter((f) => f.endsWith('.egg'));
  return { egg: readFileSync(join(work, 'out', built!)), requirement };
}

void test('a direct-reference requirement is refused unless pip_allow_direct_urls is on', async (t) => {
  const work = tempDir(t);
  const { egg } = await directRefEgg(work);
  // An offline policy: requirements come from this (empty) wheelhouse only.
  const offline = { SCRAPYARD_PIP_NO_INDEX: 'on', SCRAPYARD_PIP_FIND_LINKS: tempDir(t) };

  const strict = await startMaster(t, { env: offline });
  const api = new ScrapydClient(strict.url);
  const refused = await api.addVersion('withreq', '1', egg);
  assert.equal(refused.status, 'error');
  assert.match(String(refused.message), /direct URL, VCS or path reference: refused because pipAllowDirectUrls is off/);
  assert.deepEqual((await api.get('listprojects.json')).projects, [], 'nothing was stored');
  const venvs = join(strict.dataDir, 'agent', 'venvs');
  const built = existsSync(venvs) ? readdirSync(venvs).filter((d) => d.startsWith('withreq-')) : [];
  assert.deepEqual(built, [], 'no venv was built for it: pip never ran');

  const open = await startMaster(t, { env: { ...offline, SCRAPYARD_PIP_ALLOW_DIRECT_URLS: 'on' } });
  const openApi = new ScrapydClient(open.url);
  ScrapydClient.ok(await openApi.addVersion('withreq', '1', egg));
  const done = await waitFinished(openApi, await schedule(openApi, { project: 'withreq', spider: 'usedep' }));
  assert.equal(done.outcome, 'succeeded');
  const items = await openApi.raw('GET', `/items/withreq/usedep/${done.id}.jl`);
  assert.match(items.text, /"dep"/, 'the spider imported the dependency installed from the direct reference');
});
