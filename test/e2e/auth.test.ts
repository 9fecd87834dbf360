/**
 * Basic auth (docs/scrapyd-api.md §1.1, checklist §8.11): every path, OPTIONS included, answers 401 without the
 * right credentials. One authentication module serves every surface: the basic pair and the admin token are
 * accepted alike on the Scrapyd API and the REST API; egg downloads want an agent session, nothing else.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { ScrapydClient } from '../helpers/clients.js';
import { deploy, schedule, waitFinished } from '../helpers/jobs.js';
import { request } from '../helpers/http.js';
import { adminTokenOf, startMaster, tempDir } from '../helpers/processes.js';

const FILE = { username: 'fromfile', password: 'file-secret' };
const OURS = { username: 'scrapyard-user', password: 'scrapyard-secret' };
const SCRAPYD = { username: 'admin', password: 'pa:ss wörd' };

/** A scrapyd.conf giving the file's credentials. */
function confWithCredentials(t: TestContext): string {
  const conf = join(tempDir(t, 'scrapyard-auth-conf-'), 'scrapyd.conf');
  writeFileSync(conf, `[scrapyd]\nusername = ${FILE.username}\npassword = ${FILE.password}\n`);
  return conf;
}

/** The status of daemonstatus.json for each pair of credentials, in order. */
async function statuses(url: string, pairs: { username: string; password: string }[]): Promise<number[]> {
  return Promise.all(pairs.map(async (p) => (await new ScrapydClient(url, p).raw('GET', '/daemonstatus.json')).status));
}

void test('basic auth guards JSON endpoints, pages, trees, OPTIONS and 404s; env overrides win', async (t) => {
  // The file, SCRAPYARD_* and SCRAPYD_* each give a pair: Scrapyd's own variables win.
  const master = await startMaster(t, {
    args: ['--config', confWithCredentials(t)],
    env: {
      SCRAPYARD_USERNAME: OURS.username,
      SCRAPYARD_PASSWORD: OURS.password,
      SCRAPYD_USERNAME: SCRAPYD.username,
      SCRAPYD_PASSWORD: SCRAPYD.password,
    },
  });
  assert.deepEqual(await statuses(master.url, [SCRAPYD, OURS, FILE]), [200, 401, 401]);
  const anon = new ScrapydClient(master.url);
  const wrong = new ScrapydClient(master.url, { username: 'admin', password: 'nope' });
  const api = new ScrapydClient(master.url, SCRAPYD);

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
  for (const secret of [SCRAPYD.password, OURS.password, FILE.password]) {
    assert.ok(!master.output().includes(secret), 'no password reaches the logs');
  }
});

void test('credentials: the config file < SCRAPYARD_USERNAME/PASSWORD < SCRAPYD_USERNAME/PASSWORD', async (t) => {
  const conf = confWithCredentials(t);
  const args = ['--config', conf, '--no-local-agent'];
  // The file alone is honoured (so a 401 for its pair below means it was overridden, not ignored).
  const fileOnly = await startMaster(t, { args });
  assert.deepEqual(await statuses(fileOnly.url, [FILE, OURS, SCRAPYD]), [200, 401, 401], 'file only');
  await fileOnly.assertCleanStop();

  const ours = await startMaster(t, {
    args,
    env: { SCRAPYARD_USERNAME: OURS.username, SCRAPYARD_PASSWORD: OURS.password },
  });
  assert.deepEqual(await statuses(ours.url, [OURS, FILE, SCRAPYD]), [200, 401, 401], 'SCRAPYARD_* over the file');
  await ours.assertCleanStop();

  const scrapyd = await startMaster(t, {
    args,
    env: { SCRAPYD_USERNAME: SCRAPYD.username, SCRAPYD_PASSWORD: SCRAPYD.password },
  });
  assert.deepEqual(await statuses(scrapyd.url, [SCRAPYD, FILE, OURS]), [200, 401, 401], 'SCRAPYD_* over the file');
});

void test('one module for every surface: basic pair and admin token administer; eggs want an agent session', async (t) => {
  const master = await startMaster(t, {
    args: ['--no-local-agent'],
    env: { SCRAPYD_USERNAME: SCRAPYD.username, SCRAPYD_PASSWORD: SCRAPYD.password },
  });
  const token = adminTokenOf(master.dataDir);
  assert.match(token ?? '', /^adm_[0-9a-f]{64}$/, 'the token exists with credentials configured too');
  const basic = { authorization: `Basic ${Buffer.from(`${SCRAPYD.username}:${SCRAPYD.password}`).toString('base64')}` };
  const bearer = { authorization: `Bearer ${token}` };
  const status = async (method: string, path: string, headers: Record<string, string> = {}) =>
    request(`${master.url}${path}`, {
      method,
      headers: { ...headers, ...(method === 'POST' ? { 'content-type': 'application/json' } : {}) },
      ...(method === 'POST' ? { body: '{}' } : {}),
    });

  for (const who of [basic, bearer]) {
    assert.equal((await status('GET', '/daemonstatus.json', who)).status, 200);
    assert.equal((await status('GET', '/logs/', who)).status, 200);
    assert.equal((await status('GET', '/api/v1/nodes', who)).status, 200);
    assert.equal((await status('POST', '/api/v1/nodes/enrollments', who)).status, 201);
  }
  const anon = await status('GET', '/api/v1/nodes');
  assert.equal(anon.status, 401);
  assert.equal((anon.json.error as { code: string }).code, 'UNAUTHORIZED');
  assert.match(anon.headers.get('www-authenticate') ?? '', /Basic realm="Scrapyard"/);
  const egg = `/agent/v1/eggs/${'0'.repeat(64)}`;
  const noSession = await status('GET', egg);
  assert.equal(noSession.status, 401);
  assert.equal((noSession.json.error as { code: string }).code, 'UNAUTHORIZED');
  for (const who of [basic, bearer]) {
    const r = await status('GET', egg, who);
    assert.equal(r.status, 403, 'an admin is not an agent');
    assert.equal((r.json.error as { code: string }).code, 'FORBIDDEN');
  }
});
