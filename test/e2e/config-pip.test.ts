/**
 * Where venvs get their packages: `pip_index_url` installs an egg's requirements from a PEP 503 index (served by
 * the test on 127.0.0.1), and `system_site_packages = off` makes venvs blind to the system's Scrapy.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { ScrapydClient } from '../helpers/clients.js';
import { buildEgg } from '../helpers/eggs.js';
import { deploy, schedule, waitFinished } from '../helpers/jobs.js';
import { startMaster, tempDir } from '../helpers/processes.js';
import { buildTestdepWheelhouse } from '../helpers/wheels.js';

function writeConf(t: TestContext, lines: string[]): string {
  const file = join(tempDir(t), 'scrapyd.conf');
  writeFileSync(file, [...lines, ''].join('\n'));
  return file;
}

/** A PEP 503 "simple" index holding the wheels of a directory; returns its URL and the paths it was asked for. */
async function serveSimpleIndex(t: TestContext, wheelhouse: string): Promise<{ url: string; asked: string[] }> {
  const wheels = readdirSync(wheelhouse).filter((f) => f.endsWith('.whl'));
  const asked: string[] = [];
  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0]!;
    asked.push(path);
    res.setHeader('cache-control', 'no-store');
    const file = /^\/files\/([^/]+\.whl)$/.exec(path)?.[1];
    if (path === '/simple/scrapyard-testdep/') {
      const links = wheels.map((w) => {
        const sha = createHash('sha256')
          .update(readFileSync(join(wheelhouse, w)))
          .digest('hex');
        return `<a href="/files/${w}#sha256=${sha}">${w}</a><br>`;
      });
      res.setHeader('content-type', 'text/html');
      res.end(`<!DOCTYPE html><html><body>${links.join('\n')}</body></html>`);
    } else if (file && wheels.includes(file)) {
      res.setHeader('content-type', 'application/octet-stream');
      res.end(readFileSync(join(wheelhouse, file)));
    } else {
      res.statusCode = 404;
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const addr = server.address();
  if (addr === null || typeof addr === 'string') throw new Error('index server has no port');
  return { url: `http://127.0.0.1:${addr.port}/simple/`, asked };
}

void test('pip_index_url: requirements come from the configured index', async (t) => {
  const index = await serveSimpleIndex(t, await buildTestdepWheelhouse());
  const conf = writeConf(t, ['[scrapyard]', `pip_index_url = ${index.url}`]);
  // Nothing else to install from: no find-links from the environment.
  const master = await startMaster(t, { args: ['--config', conf], env: { PIP_FIND_LINKS: '' } });
  const api = new ScrapydClient(master.url);
  await deploy(api, 'withreq', '1');
  const done = await waitFinished(api, await schedule(api, { project: 'withreq', spider: 'usedep' }), 120_000);
  assert.equal(done.outcome, 'succeeded');
  const items = (await api.raw('GET', done.items_url!)).text.trim().split('\n');
  assert.deepEqual(
    items.map((l) => JSON.parse(l) as unknown),
    [{ dep: 'testdep-ok' }],
  );
  assert.ok(index.asked.includes('/simple/scrapyard-testdep/'), `pip asked the index: ${index.asked.join(', ')}`);
  assert.ok(
    index.asked.some((p) => /^\/files\/scrapyard_testdep-1\.0-.*\.whl$/.test(p)),
    `pip downloaded the wheel from it: ${index.asked.join(', ')}`,
  );
});

void test('system_site_packages = off: venvs do not see the system Scrapy, so nothing deploys', async (t) => {
  const conf = writeConf(t, ['[scrapyard]', 'system_site_packages = off']);
  const master = await startMaster(t, { args: ['--config', conf] });
  const api = new ScrapydClient(master.url);
  const res = await api.addVersion('demo', '1', await buildEgg('demo'));
  assert.equal(res.status, 'error');
  assert.match(String(res.message), /^RunnerError: [\s\S]*No module named 'scrapy'/);
  assert.deepEqual((await api.get('listprojects.json')).projects, [], 'nothing was deployed');
  assert.deepEqual((await api.get('listversions.json', { project: 'demo' })).versions, []);
});
