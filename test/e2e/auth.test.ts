/** Basic auth (spec §1.1, checklist §8.11): every path, OPTIONS included, answers 401 without the right credentials. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ScrapydClient } from '../helpers/clients.js';
import { deploy, schedule, waitFinished } from '../helpers/jobs.js';
import { startMaster } from '../helpers/processes.js';

void test('basic auth guards JSON endpoints, pages, trees, OPTIONS and 404s; env overrides win', async (t) => {
  const master = await startMaster(t, {
    env: { SCRAPYD_USERNAME: 'admin', SCRAPYD_PASSWORD: 'pa:ss wörd' },
  });
  const anon = new ScrapydClient(master.url);
  const wrong = new ScrapydClient(master.url, { username: 'admin', password: 'nope' });
  const api = new ScrapydClient(master.url, { username: 'admin', password: 'pa:ss wörd' });

  await deploy(api);
  const job = await schedule(api, { project: 'demo', spider: 'quick' });
  const done = await waitFinished(api, job);

  const paths: [string, string][] = [
    ['GET', '/daemonstatus.json'],
    ['POST', '/schedule.json'],
    ['OPTIONS', '/schedule.json'],
    ['GET', '/'],
    ['GET', '/jobs'],
    ['GET', '/logs/'],
    ['GET', done.log_url!],
    ['GET', '/items/'],
    ['GET', '/no-such-page'],
  ];
  for (const [method, path] of paths) {
    for (const client of [anon, wrong]) {
      const r = await client.raw(method, path);
      assert.equal(r.status, 401, `${method} ${path}`);
      assert.equal(r.text, 'Unauthorized');
      assert.equal(r.headers.get('www-authenticate'), 'basic realm="Scrapyd"');
    }
  }
  assert.equal((await api.raw('GET', '/')).status, 200);
  assert.equal((await api.raw('GET', done.log_url!)).status, 200);
  assert.equal((await api.raw('OPTIONS', '/schedule.json')).status, 204);
  assert.equal((await api.raw('GET', '/no-such-page')).status, 404);
  assert.equal((await api.get('daemonstatus.json')).status, 'ok');
  assert.doesNotMatch(master.output(), /pa:ss/, 'the password never reaches the logs');
});
