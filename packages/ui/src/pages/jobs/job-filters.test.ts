import assert from 'node:assert/strict';
import { test } from 'node:test';
import { filtersSearch, hasFilters, listQuery, parseFilters, timeParam } from './job-filters.js';

void test('filters round-trip through the URL', () => {
  const f = parseFilters('?project=demo&spider=quick&state=pending,running&outcome=failed&tag=gpu&nodeId=n1');
  assert.deepEqual(f, {
    project: 'demo',
    spider: 'quick',
    state: 'pending,running',
    outcome: 'failed',
    tag: 'gpu',
    nodeId: 'n1',
  });
  assert.deepEqual(parseFilters(filtersSearch(f)), f);
  assert.equal(filtersSearch({}), '');
  assert.equal(filtersSearch({ project: 'a' }, 'MTA'), '?project=a&cursor=MTA');
});

void test('what the API would refuse is dropped from the URL', () => {
  assert.deepEqual(parseFilters('?state=sleeping&outcome=meh&since=yesterday&bogus=1&project='), {});
  assert.equal(hasFilters({}), false);
  assert.equal(hasFilters({ tag: 'x' }), true);
});

void test('the API query has the page size, the cursor and times in epoch ms', () => {
  const since = '2026-12-07T10:30';
  const q = new URLSearchParams(listQuery({ project: 'demo', since }, 50, 'MTA'));
  assert.equal(q.get('project'), 'demo');
  assert.equal(q.get('limit'), '50');
  assert.equal(q.get('cursor'), 'MTA');
  assert.equal(q.get('since'), String(new Date(since).getTime()));
  assert.equal(timeParam('1700000000000'), '1700000000000');
});
