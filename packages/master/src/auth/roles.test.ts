import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Grant } from '@scrapyard/protocol';
import { ACTIONS, ADMIN_GRANTS, grantsAllow, grantsWithin, projectsFor, type Action } from './roles.js';

const viewerA: Grant[] = [{ role: 'viewer', projects: ['a'] }];
const maintainerA: Grant[] = [{ role: 'maintainer', projects: ['a'] }];

void test('each role reaches exactly its actions, on its projects only', () => {
  const expected: Record<string, Action[]> = {
    admin: Object.keys(ACTIONS) as Action[],
    maintainer: ['read', 'schedule', 'cancel', 'run-schedule', 'deploy', 'delete', 'configure', 'metrics'],
    operator: ['read', 'schedule', 'cancel', 'run-schedule', 'metrics'],
    viewer: ['read', 'metrics'],
    metrics: ['metrics'],
  };
  for (const [role, actions] of Object.entries(expected)) {
    const all = [{ role, projects: '*' }] as Grant[];
    const allowed = (Object.keys(ACTIONS) as Action[]).filter((a) => grantsAllow(all, a, 'p'));
    assert.deepEqual(allowed, actions, role);
  }
  assert.equal(grantsAllow(viewerA, 'read', 'a'), true);
  assert.equal(grantsAllow(viewerA, 'read', 'b'), false, 'a viewer of a sees nothing of b');
  assert.equal(grantsAllow(viewerA, 'read'), true, 'some project');
  assert.equal(grantsAllow(maintainerA, 'deploy', 'b'), false);
});

void test('global actions need a grant on every project', () => {
  assert.equal(grantsAllow([{ role: 'admin', projects: ['a'] }], 'admin'), false);
  assert.equal(grantsAllow(ADMIN_GRANTS, 'admin'), true);
  assert.equal(grantsAllow(viewerA, 'metrics'), false, 'a project-scoped viewer would see other projects in /metrics');
  assert.equal(grantsAllow([{ role: 'metrics', projects: '*' }], 'read', 'a'), false);
});

void test('projectsFor unions the grants that allow the action', () => {
  const grants: Grant[] = [...viewerA, { role: 'operator', projects: ['b', 'c'] }];
  assert.deepEqual([...(projectsFor(grants, 'read') as Set<string>)].sort(), ['a', 'b', 'c']);
  assert.deepEqual([...(projectsFor(grants, 'schedule') as Set<string>)].sort(), ['b', 'c']);
  assert.equal(projectsFor([...grants, { role: 'viewer', projects: '*' }], 'read'), '*');
  assert.equal((projectsFor(viewerA, 'deploy') as Set<string>).size, 0);
});

void test('grantsWithin: never wider than the outer grants', () => {
  assert.equal(grantsWithin(viewerA, maintainerA), true);
  assert.equal(grantsWithin(maintainerA, viewerA), false, 'a wider role');
  assert.equal(grantsWithin([{ role: 'viewer', projects: '*' }], viewerA), false, 'a wider scope');
  assert.equal(grantsWithin([{ role: 'viewer', projects: ['b'] }], viewerA), false, 'another project');
  assert.equal(grantsWithin([{ role: 'metrics', projects: '*' }], [{ role: 'viewer', projects: '*' }]), true);
  assert.equal(grantsWithin([{ role: 'metrics', projects: '*' }], viewerA), false);
  assert.equal(grantsWithin(maintainerA, ADMIN_GRANTS), true);
});
