import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tokenRolesFor } from './token-roles.js';

void test('a token is offered only the roles its owner holds or less', () => {
  assert.deepEqual(tokenRolesFor([{ role: 'viewer', projects: '*' }]), ['viewer', 'metrics']);
  assert.deepEqual(tokenRolesFor([{ role: 'operator', projects: ['a'] }]), ['viewer', 'operator']);
  assert.deepEqual(tokenRolesFor([{ role: 'admin', projects: '*' }]), [
    'viewer',
    'operator',
    'maintainer',
    'admin',
    'metrics',
  ]);
  assert.deepEqual(tokenRolesFor([]), []);
});
