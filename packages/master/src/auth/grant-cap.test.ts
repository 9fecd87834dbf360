import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Grant } from '@scrapyard/protocol';
import { capGrants } from './grant-cap.js';

const g = (role: Grant['role'], projects: Grant['projects']): Grant => ({ role, projects });

void test("a token's grants meet its owner's: the narrower role on the projects both cover", () => {
  assert.deepEqual(capGrants([g('maintainer', '*')], [g('operator', ['a', 'b'])]), [g('operator', ['a', 'b'])]);
  assert.deepEqual(capGrants([g('viewer', ['a', 'c'])], [g('admin', '*')]), [g('viewer', ['a', 'c'])]);
  assert.deepEqual(capGrants([g('operator', ['a', 'c'])], [g('maintainer', ['b', 'c'])]), [g('operator', ['c'])]);
  assert.deepEqual(capGrants([g('operator', ['a'])], [g('viewer', ['b'])]), []);
  assert.deepEqual(capGrants([g('metrics', '*')], [g('viewer', '*')]), [g('metrics', '*')]);
  assert.deepEqual(capGrants([g('admin', '*')], [g('metrics', '*')]), [g('metrics', '*')]);
  assert.deepEqual(capGrants([g('admin', '*')], []), []);
});
