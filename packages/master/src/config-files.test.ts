import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { closestScrapyCfg, discoverConfigFiles, scrapydSearchList } from './config-files.js';

function tree(t: TestContext, files: string[]): string {
  const root = mkdtempSync(join(tmpdir(), 'conf-search-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  for (const f of files) {
    mkdirSync(join(root, f, '..'), { recursive: true });
    writeFileSync(join(root, f), '[scrapyd]\n');
  }
  return root;
}

void test("Scrapyd's list, in Scrapyd's order", (t) => {
  const root = tree(t, ['proj/scrapy.cfg']);
  const ctx = { cwd: join(root, 'proj', 'a', 'b'), home: join(root, 'home'), etcDir: join(root, 'etc') };
  mkdirSync(ctx.cwd, { recursive: true });
  assert.deepEqual(scrapydSearchList(ctx), [
    join(root, 'etc', 'scrapyd.conf'),
    join(root, 'etc', 'conf.d', '*'),
    join(ctx.cwd, 'scrapyd.conf'),
    join(root, 'home', '.scrapyd.conf'),
    join(root, 'proj', 'scrapy.cfg'),
  ]);
  assert.deepEqual(scrapydSearchList({ cwd: '/', home: '/root' }).slice(0, 2), [
    '/etc/scrapyd/scrapyd.conf',
    '/etc/scrapyd/conf.d/*',
  ]);
  assert.equal(closestScrapyCfg(join(root, 'elsewhere')), closestScrapyCfg('/'), 'none below the root: as for /');
});

void test('discovery keeps existing regular files; conf.d sorted, dotfiles and directories skipped', (t) => {
  const root = tree(t, [
    'etc/scrapyd.conf',
    'etc/conf.d/b.conf',
    'etc/conf.d/A.conf',
    'etc/conf.d/10.conf',
    'etc/conf.d/.hidden',
    'etc/conf.d/dir/inside.conf',
    'home/.scrapyd.conf',
  ]);
  const ctx = { cwd: join(root, 'cwd'), home: join(root, 'home'), etcDir: join(root, 'etc') };
  mkdirSync(ctx.cwd);
  const found = discoverConfigFiles({}, ctx).filter((f) => f.startsWith(root));
  assert.deepEqual(found, [
    join(root, 'etc/scrapyd.conf'),
    join(root, 'etc/conf.d/10.conf'),
    join(root, 'etc/conf.d/A.conf'),
    join(root, 'etc/conf.d/b.conf'),
    join(root, 'home/.scrapyd.conf'),
  ]);
});

void test('SCRAPYARD_CONFIG_SEARCH replaces the list: ~, relative paths, globs; empty reads nothing', (t) => {
  const root = tree(t, ['cwd/x.conf', 'home/y.conf', 'd/2.conf', 'd/1.conf', 'd/1.txt']);
  const ctx = { cwd: join(root, 'cwd'), home: join(root, 'home') };
  assert.deepEqual(discoverConfigFiles({ SCRAPYARD_CONFIG_SEARCH: `x.conf:~/y.conf:${root}/d/*.conf:missing` }, ctx), [
    join(root, 'cwd/x.conf'),
    join(root, 'home/y.conf'),
    join(root, 'd/1.conf'),
    join(root, 'd/2.conf'),
  ]);
  assert.deepEqual(discoverConfigFiles({ SCRAPYARD_CONFIG_SEARCH: '' }, ctx), []);
});
