/**
 * Project and spider policies: PUT replaces the whole policy (fields left out inherit again), PATCH changes only
 * the fields it gives, DELETE forgets it; a policy for a project that does not exist is 404 PROJECT_NOT_FOUND, one
 * for a spider the project does not have is 404 SPIDER_NOT_FOUND unless asked for on purpose
 * (`?allow_unknown_spider=1`, `?allow_unknown_project=1`), and nothing is stored by a refusal. The same through
 * `scrapyard-master policy get|set|patch|delete`.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../helpers/agents.js';
import { ScrapydClient } from '../helpers/clients.js';
import { RestClient } from '../helpers/http.js';
import { deploy, EMPTY_POLICY } from '../helpers/jobs.js';
import { queryMaster } from '../helpers/master-db.js';
import { startMaster, tempDir, type MasterProcess } from '../helpers/processes.js';

async function deployedMaster(t: Parameters<typeof startMaster>[0]): Promise<MasterProcess> {
  const master = await startMaster(t);
  await deploy(new ScrapydClient(master.url));
  return master;
}

const stored = async (master: MasterProcess) =>
  (await queryMaster(master.dataDir, 'SELECT project, spider FROM policies ORDER BY project, spider')).map(
    (r) => `${String(r.project)}/${String(r.spider)}`,
  );

void test('policy REST: PUT replaces, PATCH merges, DELETE forgets; unknown projects and spiders are refused', async (t) => {
  const master = await deployedMaster(t);
  const rest = new RestClient(master.url);
  const quick = '/api/v1/projects/demo/spiders/quick/policy';
  const errorOf = async (method: string, path: string, body: unknown, status: number) => {
    const r = await rest.call(method, path, body);
    assert.equal(r.status, status, `${method} ${path}: ${r.text}`);
    return (r.json.error as { code: string; message: string }).code;
  };

  // Unknown targets: refused, nothing stored.
  for (const method of ['PUT', 'PATCH']) {
    assert.equal(await errorOf(method, '/api/v1/projects/ghost/policy', { maxRunning: 1 }, 404), 'PROJECT_NOT_FOUND');
    assert.equal(
      await errorOf(method, '/api/v1/projects/ghost/spiders/quick/policy', { maxRunning: 1 }, 404),
      'PROJECT_NOT_FOUND',
    );
    assert.equal(
      await errorOf(method, '/api/v1/projects/demo/spiders/nosuch/policy', { maxRunning: 1 }, 404),
      'SPIDER_NOT_FOUND',
    );
  }
  assert.deepEqual(await stored(master), [], 'no refused policy was stored');
  // …unless asked for on purpose (deployed later).
  await rest.ok('PUT', '/api/v1/projects/demo/spiders/nosuch/policy?allow_unknown_spider=1', { maxRunning: 1 });
  await rest.ok('PATCH', '/api/v1/projects/later/policy?allow_unknown_project=1', { tags: ['eu'] });
  assert.deepEqual(await stored(master), ['demo/nosuch', 'later/']);

  // PUT replaces; PATCH merges.
  await rest.ok('PUT', quick, { maxRunning: 2, retries: 3, retryOn: ['failed'] });
  let p = await rest.ok('PATCH', quick, { stallSeconds: 60 });
  assert.deepEqual(p, { ...EMPTY_POLICY, maxRunning: 2, retries: 3, retryOn: ['failed'], stallSeconds: 60 });
  p = await rest.ok('PATCH', quick, { retries: null, startRate: { count: 5, periodSeconds: 60 } });
  const merged = {
    ...EMPTY_POLICY,
    maxRunning: 2,
    retryOn: ['failed'],
    stallSeconds: 60,
    startRate: { count: 5, periodSeconds: 60 },
  };
  assert.deepEqual(p, merged, 'null clears one field, the rest is kept');
  assert.deepEqual(await rest.get(quick), merged);
  // A bad PATCH changes nothing.
  assert.equal(await errorOf('PATCH', quick, { colour: 'red' }, 400), 'BAD_REQUEST');
  assert.equal(await errorOf('PATCH', quick, { maxRunning: 0 }, 400), 'BAD_REQUEST');
  assert.deepEqual(await rest.get(quick), merged);
  p = await rest.ok('PUT', quick, { tags: ['eu'] });
  assert.deepEqual(p, { ...EMPTY_POLICY, tags: ['eu'] }, 'PUT replaces the whole policy');
  // Project level too.
  await rest.ok('PUT', '/api/v1/projects/demo/policy', { maxRunning: 4 });
  assert.deepEqual(await rest.ok('PATCH', '/api/v1/projects/demo/policy', { retries: 1 }), {
    ...EMPTY_POLICY,
    maxRunning: 4,
    retries: 1,
  });

  // DELETE forgets (idempotent), and what the master does follows: the spider inherits again.
  assert.equal((await rest.call('DELETE', quick)).status, 204);
  assert.equal((await rest.call('DELETE', quick)).status, 204);
  assert.deepEqual(await rest.get(quick), EMPTY_POLICY);
  assert.deepEqual(await stored(master), ['demo/', 'demo/nosuch', 'later/']);
});

void test('scrapyard-master policy get|set|patch|delete', async (t) => {
  const master = await deployedMaster(t);
  const policy = (...args: string[]) =>
    runCli('master', ['policy', ...args, '--url', master.url, '--data-dir', master.dataDir]);
  const json = async (...args: string[]) => {
    const r = await policy(...args, '--json');
    assert.equal(r.code, 0, r.all);
    return JSON.parse(r.stdout) as Record<string, unknown>;
  };
  const failed = async (msg: RegExp, ...args: string[]) => {
    const r = await policy(...args);
    assert.equal(r.code, 1, r.all);
    assert.match(r.stderr, msg);
  };
  // A usage error: exit 2.
  const refused = async (msg: RegExp, ...args: string[]) => {
    const r = await policy(...args);
    assert.equal(r.code, 2, r.all);
    assert.match(r.stderr, msg);
  };

  const set = await policy('set', 'demo', 'quick', '--max-running', '2', '--retries', '3', '--retry-on', 'failed,lost');
  assert.equal(set.code, 0, set.all);
  assert.match(set.stdout, /^set: demo\/quick\n/);
  assert.match(set.stdout, /maxRunning\s+2\n/);
  assert.match(set.stdout, /stallSeconds\s+\(inherit\)/);
  assert.deepEqual(await json('patch', 'demo', 'quick', '--stall-seconds', '60', '--max-running', 'inherit'), {
    ...EMPTY_POLICY,
    retries: 3,
    retryOn: ['failed', 'lost'],
    stallSeconds: 60,
  });
  assert.deepEqual(
    await json('set', 'demo', 'quick', '--tag', 'eu', '--tag', 'gpu', '--start-rate', '10/60', '--unique-arg', ''),
    { ...EMPTY_POLICY, tags: ['eu', 'gpu'], startRate: { count: 10, periodSeconds: 60 }, uniqueArgs: [] },
    'set replaces: retries and stallSeconds inherit again',
  );
  assert.deepEqual((await json('get', 'demo', 'quick')).tags, ['eu', 'gpu']);
  const body = join(tempDir(t), 'policy.json');
  writeFileSync(body, JSON.stringify({ maxRunning: 7 }));
  assert.deepEqual(await json('patch', 'demo', '--json-body', body), { ...EMPTY_POLICY, maxRunning: 7 });

  await failed(/PROJECT_NOT_FOUND: project "ghost" does not exist/, 'set', 'ghost', '--max-running', '1');
  await failed(/SPIDER_NOT_FOUND: .*allow_unknown_spider=1/, 'patch', 'demo', 'nosuch', '--max-running', '1');
  await refused(/nothing to patch/, 'patch', 'demo', 'quick');
  await refused(/--start-rate takes COUNT\/SECONDS/, 'set', 'demo', '--start-rate', 'fast');
  await failed(/BAD_REQUEST: body.maxRunning/, 'set', 'demo', '--max-running', '0');
  assert.deepEqual((await json('set', 'demo', 'nosuch', '--allow-unknown-spider', '--retries', '1')).retries, 1);

  const deleted = await policy('delete', 'demo', 'quick');
  assert.equal(deleted.code, 0, deleted.all);
  assert.equal(deleted.stdout, 'deleted: demo/quick\n');
  assert.deepEqual(await json('get', 'demo', 'quick'), EMPTY_POLICY);
});
