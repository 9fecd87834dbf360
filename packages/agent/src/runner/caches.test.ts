import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { EggCache } from './egg-cache.js';
import { crawlBaseEnv } from './safe-env.js';
import { VenvManager } from './venv.js';

const DAY = 86_400_000;
const tmp = (t: TestContext) => {
  const dir = mkdtempSync(join(tmpdir(), 'caches-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
};
const age = (path: string, ms: number) => {
  const when = new Date(Date.now() - ms);
  utimesSync(path, when, when);
};

void test('egg GC keeps live, in-use and recently used eggs, deletes the rest', (t) => {
  const dir = tmp(t);
  const eggs = new EggCache(
    dir,
    () => 'http://127.0.0.1:1',
    () => undefined,
  );
  const d = (c: string) => c.repeat(64);
  for (const c of ['a', 'b', 'c', 'e']) writeFileSync(eggs.pathOf(d(c)), 'x');
  for (const c of ['a', 'b', 'c']) age(eggs.pathOf(d(c)), 2 * DAY);
  writeFileSync(join(dir, 'notes.txt'), 'not an egg');
  const removed = eggs.collect(new Set([d('a')]), new Set([d('b')]), DAY);
  assert.deepEqual(removed, [d('c')]);
  assert.ok(existsSync(eggs.pathOf(d('a'))), 'live');
  assert.ok(existsSync(eggs.pathOf(d('b'))), 'in use by a run');
  assert.ok(existsSync(eggs.pathOf(d('e'))), 'used recently');
  assert.ok(existsSync(join(dir, 'notes.txt')), 'other files are left alone');
});

void test('venv GC deletes venvs unused for long, except those runs use', (t) => {
  const dir = tmp(t);
  const venvs = new VenvManager(dir, {
    python: '/usr/bin/python3',
    systemSitePackages: true,
    pipIndexUrl: '',
    pipFindLinks: [],
    pipNoIndex: false,
    allowDirectUrls: false,
    env: crawlBaseEnv({}),
    identity: null,
  });
  const make = (key: string, ageMs: number) => {
    mkdirSync(join(dir, key));
    writeFileSync(join(dir, key, '.scrapyard-ready'), '{}');
    age(join(dir, key, '.scrapyard-ready'), ageMs);
  };
  const used = venvs.keyOf('busy', []);
  make('old-1', 30 * DAY);
  make(used, 30 * DAY);
  make('fresh-1', 1_000);
  const removed = venvs.collect(14 * DAY, new Set([used]));
  assert.deepEqual(removed, ['old-1']);
  assert.ok(existsSync(join(dir, used)));
  assert.ok(existsSync(join(dir, 'fresh-1')));
});
