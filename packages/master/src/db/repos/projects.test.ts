import assert from 'node:assert/strict';
import { openTestDatabase, testEachStore } from '../stores.test-support.js';
import { createProjectsRepo } from './projects.js';

const version = (project: string, name: string) => ({
  project,
  name,
  digest: name.padEnd(64, '0'),
  size: 1,
  requirements: [],
  spiders: ['s'],
});

testEachStore('projects list in code-point order whatever the database collation', {}, async (t, store) => {
  const repo = createProjectsRepo(await openTestDatabase(t, store));
  for (const p of ['b', 'B', 'a', '_x', 'A1', 'a-b']) await repo.putVersion(version(p, '1'), 1);
  assert.deepEqual(await repo.list(), ['A1', 'B', '_x', 'a', 'a-b', 'b']);
});

testEachStore('a version replaced, restored, deleted; the project goes with its last version', {}, async (t, store) => {
  const repo = createProjectsRepo(await openTestDatabase(t, store));
  assert.equal(await repo.putVersion(version('p', '1'), 1), null);
  const replaced = await repo.putVersion({ ...version('p', '1'), digest: 'f'.repeat(64) }, 2);
  assert.equal(replaced?.digest, version('p', '1').digest);
  await repo.restoreVersion('p', '1', replaced, true);
  assert.equal((await repo.version('p', '1'))?.uploadedAt, 1);
  await repo.putVersion(version('p', '2'), 3);
  assert.deepEqual(await repo.deleteVersion('p', '1'), { deleted: true, projectGone: false });
  assert.deepEqual(await repo.deleteVersion('p', '1'), { deleted: false, projectGone: false });
  assert.deepEqual(await repo.deleteVersion('p', '2'), { deleted: true, projectGone: true });
  assert.equal(await repo.exists('p'), false);
});

testEachStore(
  'an upload racing the deletion of the last version is never lost with the project',
  {},
  async (t, store) => {
    const repo = createProjectsRepo(await openTestDatabase(t, store));
    for (let i = 0; i < 25; i++) {
      const project = `race${i}`;
      await repo.putVersion(version(project, 'old'), 1);
      // Side by side on PostgreSQL (a pool of connections); one after the other on SQLite.
      await Promise.all([repo.deleteVersion(project, 'old'), repo.putVersion(version(project, 'new'), 2)]);
      assert.ok(await repo.version(project, 'new'), `${project}: the new version is there`);
      assert.ok(await repo.exists(project), `${project}: so is its project`);
      assert.equal(await repo.version(project, 'old'), null);
    }
  },
);
