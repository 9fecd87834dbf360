import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Principal } from './principal.js';
import { visibleProjects } from './project-scope.js';

const user = (grants: Extract<Principal, { kind: 'user' }>['grants']): Principal => ({
  kind: 'user',
  userId: 'u1',
  name: 'u',
  grants,
});

void test('what each principal may read: all, some projects, or none', () => {
  assert.equal(visibleProjects({ kind: 'scrapyd-user', username: 'a' }, false), '*');
  assert.equal(visibleProjects({ kind: 'admin', via: 'admin-token' }, false), '*');
  assert.deepEqual(visibleProjects(user([{ role: 'viewer', projects: ['a'] }]), false), new Set(['a']));
  const twoGrants = user([
    { role: 'operator', projects: ['a'] },
    { role: 'viewer', projects: ['b', 'c'] },
  ]);
  assert.deepEqual(visibleProjects(twoGrants, false), new Set(['a', 'b', 'c']));
  assert.equal(visibleProjects(user([{ role: 'viewer', projects: '*' }]), false), '*');
  // A metrics token reads /metrics, no project; strangers and nodes read nothing; no principal: nothing.
  for (const p of [{ kind: 'metrics-scraper' }, { kind: 'anonymous' }, { kind: 'node', nodeId: 'n' }] as const) {
    assert.deepEqual(visibleProjects(p, false), new Set(), p.kind);
  }
  assert.deepEqual(visibleProjects(undefined, false), new Set());
  // An open master (Scrapyd's default) shows everything to everyone.
  assert.equal(visibleProjects({ kind: 'anonymous' }, true), '*');
  assert.equal(visibleProjects(user([{ role: 'viewer', projects: ['a'] }]), true), '*');
});
