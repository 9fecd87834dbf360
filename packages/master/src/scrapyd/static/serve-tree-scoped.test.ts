/** The trees under project scoping: a hidden project is left out of the root listing and is 404 as a missing one. */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { serveTree, type TreeResponse } from './serve-tree.js';

const body = (r: TreeResponse) => (Buffer.isBuffer(r.body) ? r.body.toString('utf8') : '');

void test('a hidden project is absent from the root listing and every path under it is 404', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'tree-scoped-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  for (const p of ['shown', 'secret']) {
    mkdirSync(join(root, p, 'spider'), { recursive: true });
    writeFileSync(join(root, p, 'spider', 'job1.log'), `log of ${p}\n`);
  }
  const get = (requestPath: string, visibleProject?: (p: string) => boolean) =>
    serveTree({
      root,
      urlPrefix: '/logs/',
      requestPath,
      method: 'GET',
      headers: {},
      ...(visibleProject ? { visibleProject } : {}),
    });
  const onlyShown = (p: string) => p === 'shown';

  const listing = body(await get('/logs/', onlyShown));
  assert.match(listing, /shown\//);
  assert.doesNotMatch(listing, /secret/);
  assert.match(body(await get('/logs/')), /secret\//, 'unscoped: every project');

  const missing = await get('/logs/nothing-here/spider/job1.log', onlyShown);
  assert.equal(missing.status, 404);
  for (const path of ['/logs/secret', '/logs/secret/', '/logs/secret/spider/', '/logs/secret/spider/job1.log']) {
    const r = await get(path, onlyShown);
    assert.equal(r.status, 404, path);
    assert.deepEqual(r.headers, missing.headers, path);
    assert.equal(body(r), body(missing), path);
  }
  const shown = await get('/logs/shown/spider/job1.log', onlyShown);
  assert.equal(shown.status, 200);
});
