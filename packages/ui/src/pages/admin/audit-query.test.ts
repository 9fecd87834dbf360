import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  NO_FILTERS,
  auditPath,
  filtersFromSearch,
  localInputOf,
  msOfLocalInput,
  searchOfFilters,
} from './audit-query.js';

void test('filters round-trip through the URL query, blanks and malformed times left out', () => {
  const f = { actor: 'ann', action: 'user.', project: 'a', since: 1_700_000_000_000, until: 1_700_000_600_000 };
  const search = searchOfFilters(f);
  assert.equal(search, '?actor=ann&action=user.&project=a&since=1700000000000&until=1700000600000');
  assert.deepEqual(filtersFromSearch(search), f);
  assert.equal(searchOfFilters({ ...NO_FILTERS, actor: '  ' }), '');
  assert.deepEqual(filtersFromSearch('?since=yesterday&actor=%20bob%20&other=1'), { ...NO_FILTERS, actor: 'bob' });
  assert.deepEqual(filtersFromSearch(''), NO_FILTERS);
});

void test('the API path carries the filters, the cursor as before, and the page size', () => {
  assert.equal(auditPath(NO_FILTERS, undefined, 50), 'audit?limit=50');
  assert.equal(
    auditPath({ ...NO_FILTERS, actor: 'a b', action: 'token.create' }, 41, 50),
    'audit?actor=a+b&action=token.create&before=41&limit=50',
  );
});

void test('a datetime-local value is the browser zone’s wall time, to the minute', () => {
  const ms = msOfLocalInput('2026-03-29T02:30');
  assert.ok(ms !== undefined);
  // Whatever the zone, the wall time read back is the one typed (a gap hour may move it: compare a safe one too).
  assert.equal(localInputOf(msOfLocalInput('2026-12-07T01:17')), '2026-12-07T01:17');
  assert.equal(msOfLocalInput(''), undefined);
  assert.equal(msOfLocalInput('2026-12-07'), undefined);
  assert.equal(localInputOf(undefined), '');
});
