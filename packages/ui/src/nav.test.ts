import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sectionsFor } from './nav.js';
import { canWith } from './session/can.js';

const labels = (grants: Parameters<typeof canWith>[0]) => sectionsFor(canWith(grants)).map((s) => s.label);

void test('the nav shows only what the grants reach', () => {
  const reader = ['Dashboard', 'Jobs', 'Projects', 'Schedules', 'Alerts'];
  assert.deepEqual(labels([{ role: 'viewer', projects: '*' }]), reader);
  assert.deepEqual(labels([{ role: 'maintainer', projects: ['a'] }]), reader);
  assert.deepEqual(labels([{ role: 'admin', projects: ['a'] }]), reader, 'an admin of one project is no cluster admin');
  assert.deepEqual(labels([{ role: 'admin', projects: '*' }]), [
    ...reader.slice(0, 2),
    'Nodes',
    ...reader.slice(2),
    'Admin',
  ]);
  assert.deepEqual(labels([]), []);
});
