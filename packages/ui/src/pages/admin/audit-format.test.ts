import assert from 'node:assert/strict';
import { test } from 'node:test';
import { actorLabel, summaryText } from './audit-format.js';

void test('an actor reads as its kind and name, or its kind alone', () => {
  assert.equal(actorLabel({ kind: 'user', id: 'usr_1', name: 'ann' }), 'user ann');
  assert.equal(actorLabel({ kind: 'admin', id: null, name: null }), 'admin');
  assert.equal(actorLabel({ kind: 'system', id: null, name: '' }), 'system');
});

void test('a summary reads as key: value pairs, lists and objects flattened', () => {
  assert.equal(summaryText({}), '');
  assert.equal(
    summaryText({ role: 'viewer', projects: ['a', 'b'], grant: { role: 'admin', projects: '*' }, n: 2, x: null }),
    'role: viewer; projects: a, b; grant: role admin, projects *; n: 2; x: –',
  );
});
