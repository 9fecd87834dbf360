import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addProject, describeScope, pickable, removeProject, revokeOne, scopeOf } from './grants.js';

void test('a scope is * when all is chosen, else the names picked, none: nothing to send', () => {
  assert.equal(scopeOf(true, ['a']), '*');
  assert.deepEqual(scopeOf(false, [' a', 'b', 'a', '']), ['a', 'b']);
  assert.equal(scopeOf(false, []), undefined);
  assert.equal(scopeOf(false, ['  ']), undefined);
});

void test('projects are added once and removed by name', () => {
  assert.deepEqual(addProject(['a'], ' b '), ['a', 'b']);
  assert.deepEqual(addProject(['a'], 'a'), ['a']);
  assert.deepEqual(addProject(['a'], ' '), ['a']);
  assert.deepEqual(removeProject(['a', 'b'], 'a'), ['b']);
  assert.deepEqual(pickable(['a', 'b', 'c'], ['b']), ['a', 'c']);
});

void test('revoking a project of a grant: that project, or the whole role for its last or for *', () => {
  assert.deepEqual(revokeOne({ role: 'viewer', projects: ['a', 'b'] }, 'a'), { role: 'viewer', projects: ['a'] });
  assert.deepEqual(revokeOne({ role: 'viewer', projects: ['a'] }, 'a'), { role: 'viewer' });
  assert.deepEqual(revokeOne({ role: 'admin', projects: '*' }, undefined), { role: 'admin' });
  assert.deepEqual(revokeOne({ role: 'viewer', projects: ['a', 'b'] }, undefined), { role: 'viewer' });
});

void test('a scope reads as all projects or the names', () => {
  assert.equal(describeScope('*'), 'all projects');
  assert.equal(describeScope(['a', 'b']), 'a, b');
});
