import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AuditEntry } from '@scrapyard/protocol';
import { addEntry, concerns, entryMatches } from './audit-live.js';
import { NO_FILTERS } from './audit-query.js';

const entry = (id: number, over: Partial<AuditEntry> = {}): AuditEntry => ({
  id,
  at: 1_000,
  actor: { kind: 'user', id: 'u1', name: 'ann' },
  action: 'token.create',
  target: 'ci',
  project: null,
  summary: {},
  address: null,
  ...over,
});

void test('an entry matches the filters as the API would', () => {
  const e = entry(1, { project: 'demo' });
  assert.equal(entryMatches(e, NO_FILTERS), true);
  assert.equal(entryMatches(e, { actor: 'ann', action: 'token.', project: 'demo', since: 1_000, until: 1_001 }), true);
  assert.equal(entryMatches(e, { ...NO_FILTERS, action: 'token.create' }), true);
  for (const f of [
    { actor: 'bob' },
    { action: 'token.revoke' },
    { action: 'user.' },
    { project: 'other' },
    { since: 1_001 },
    { until: 1_000 },
  ]) {
    assert.equal(entryMatches(e, { ...NO_FILTERS, ...f }), false, JSON.stringify(f));
  }
});

void test('a new entry goes in id order, once, within the page', () => {
  const page = [entry(5), entry(3)];
  assert.deepEqual(
    addEntry(page, entry(6), 3).map((e) => e.id),
    [6, 5, 3],
  );
  assert.deepEqual(
    addEntry(page, entry(4), 3).map((e) => e.id),
    [5, 4, 3],
  );
  assert.deepEqual(
    addEntry(page, entry(6), 2).map((e) => e.id),
    [6, 5],
  );
  assert.equal(addEntry(page, entry(5), 3), page, 'shown already');
});

void test('which actions concern a page', () => {
  assert.equal(concerns('user.create', ['user.', 'login.ok']), true);
  assert.equal(concerns('login.ok', ['user.', 'login.ok']), true);
  assert.equal(concerns('login.failed', ['user.', 'login.ok']), false);
  assert.equal(concerns('token.create', ['user.']), false);
});
