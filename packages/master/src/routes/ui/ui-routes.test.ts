import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import Fastify from 'fastify';
import { UI_CSP, uiRoutes } from './ui-routes.js';

async function serve(t: TestContext, build: boolean) {
  const dir = mkdtempSync(join(tmpdir(), 'ui-dist-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  if (build) {
    mkdirSync(join(dir, 'assets'));
    mkdirSync(join(dir, 'types'));
    writeFileSync(
      join(dir, 'index.html'),
      '<!doctype html><script type="module" src="/ui/assets/app-1a2b.js"></script>',
    );
    writeFileSync(join(dir, 'assets', 'app-1a2b.js'), 'console.log(1)');
    writeFileSync(join(dir, 'assets', '.hidden'), 'not served');
    writeFileSync(join(dir, 'types', 'app.d.ts'), 'export {}');
    writeFileSync(join(dir, '.tsbuildinfo'), '{}');
  }
  const app = Fastify();
  await app.register(uiRoutes, { dir });
  t.after(() => app.close());
  return app;
}

void test('client routes answer index.html, never cached, with the CSP', async (t) => {
  const app = await serve(t, true);
  for (const url of ['/ui/', '/ui/jobs', '/ui/jobs/abc?state=running', '/ui/types/app.d.ts', '/ui/.tsbuildinfo']) {
    const res = await app.inject({ url });
    assert.equal(res.statusCode, 200, url);
    assert.match(res.body, /^<!doctype html>/, `${url} is the app, not a file of dist/`);
    assert.equal(res.headers['cache-control'], 'no-cache');
    assert.equal(res.headers['content-security-policy'], UI_CSP);
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
  }
  assert.doesNotMatch(UI_CSP, /unsafe-inline/);
  const bare = await app.inject({ url: '/ui' });
  assert.equal(bare.statusCode, 301);
  assert.equal(bare.headers.location, 'ui/', 'relative: it still lands under a proxy prefix');
});

void test('hashed assets are immutable; a missing one is a 404, not the app', async (t) => {
  const app = await serve(t, true);
  const js = await app.inject({ url: '/ui/assets/app-1a2b.js' });
  assert.equal(js.statusCode, 200);
  assert.equal(js.body, 'console.log(1)');
  assert.equal(js.headers['cache-control'], 'public, max-age=31536000, immutable');
  assert.match(String(js.headers['content-type']), /javascript/);
  assert.equal(js.headers['content-security-policy'], UI_CSP);
  assert.equal((await app.inject({ url: '/ui/assets/gone-9z.js' })).statusCode, 404);
  // A revalidation is answered without the body; a HEAD says the size without it.
  assert.ok(js.headers.etag && js.headers['last-modified']);
  const again = await app.inject({ url: '/ui/assets/app-1a2b.js', headers: { 'if-none-match': js.headers.etag } });
  assert.equal(again.statusCode, 304);
  assert.equal(again.body, '');
  const head = await app.inject({ method: 'HEAD', url: '/ui/assets/app-1a2b.js' });
  assert.equal(head.statusCode, 200);
  assert.equal(head.headers['content-length'], String('console.log(1)'.length));
  const part = await app.inject({ url: '/ui/assets/app-1a2b.js', headers: { range: 'bytes=0-6' } });
  assert.equal(part.statusCode, 206);
  assert.equal(part.body, 'console');
  for (const url of [
    '/ui/assets/..%2Findex.html',
    '/ui/assets/..%2F.tsbuildinfo',
    '/ui/assets/.hidden',
    '/ui/assets/',
  ]) {
    const res = await app.inject({ url });
    assert.ok(res.statusCode >= 400, `${url}: ${res.statusCode} (nothing outside assets/ through the asset route)`);
  }
});

void test('without a build, /ui/ says to run pnpm build and the server keeps serving', async (t) => {
  const app = await serve(t, false);
  const res = await app.inject({ url: '/ui/dashboard' });
  assert.equal(res.statusCode, 503);
  const body = res.json<{ error: { code: string; message: string } }>();
  assert.equal(body.error.code, 'UI_NOT_BUILT');
  assert.match(body.error.message, /pnpm build/);
  assert.equal((await app.inject({ url: '/ui/' })).statusCode, 503, 'asked again, same answer');
});
