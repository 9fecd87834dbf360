import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { openTestDatabase, testEachStore, type Store } from '../db/stores.test-support.js';
import { createProjectsRepo } from '../db/repos/projects.js';
import { ProjectCatalog } from './project-catalog.js';

async function setup(t: TestContext, store: Store) {
  const db = await openTestDatabase(t, store);
  const repo = createProjectsRepo(db);
  // The real repository, with its reads counted: how often the catalog goes to the database.
  const reads = { exists: 0, versions: 0 };
  const counted: typeof repo = {
    ...repo,
    exists: (name) => (reads.exists++, repo.exists(name)),
    versions: (project) => (reads.versions++, repo.versions(project)),
  };
  const put = (project: string, name: string) =>
    repo.putVersion({ project, name, digest: 'a'.repeat(64), size: 1, requirements: [], spiders: ['s'] }, 1);
  return { catalog: new ProjectCatalog(counted, { egg_less: 'egg_less.settings' }), reads, put };
}

testEachStore('a miss is not cached: made-up names cost a query each, never memory', {}, async (t, store) => {
  const { catalog, reads, put } = await setup(t, store);
  for (let i = 0; i < 1000; i++) assert.equal(await catalog.get(`ghost-${i}`), null);
  assert.equal(await catalog.get('ghost-0'), null);
  assert.equal(reads.exists, 1001, 'every miss asked the database again (nothing of it was kept)');
  // So a project created behind the catalog's back is seen at once.
  await put('ghost-0', 'v1');
  assert.deepEqual(
    (await catalog.get('ghost-0'))?.versions.map((v) => v.name),
    ['v1'],
  );
});

testEachStore('a hit is cached until invalidated; [settings] projects exist without eggs', {}, async (t, store) => {
  const { catalog, reads, put } = await setup(t, store);
  await put('p', 'v1');
  await catalog.get('p');
  await catalog.get('p');
  assert.deepEqual(reads, { exists: 1, versions: 1 });
  await put('p', 'v2');
  catalog.invalidate('p');
  assert.deepEqual(
    (await catalog.get('p'))?.versions.map((v) => v.name),
    ['v1', 'v2'],
  );
  assert.deepEqual(await catalog.get('egg_less'), { versions: [], settingsModule: 'egg_less.settings' });
});
