import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  currentCursor,
  FIRST_PAGE,
  fromUrl,
  hasPrevious,
  next,
  pageNumber,
  previous,
  syncWithUrl,
} from './pagination.js';

void test('next and previous walk the pages with the cursors the API gave', () => {
  let p = FIRST_PAGE;
  assert.equal(currentCursor(p), undefined);
  assert.equal(pageNumber(p), 1);
  assert.equal(hasPrevious(p), false);
  p = next(p, 'c2');
  p = next(p, 'c3');
  assert.equal(currentCursor(p), 'c3');
  assert.equal(pageNumber(p), 3);
  p = previous(p);
  assert.equal(currentCursor(p), 'c2');
  p = previous(p);
  assert.equal(currentCursor(p), undefined);
  assert.equal(previous(p), p, 'no page before the first');
});

void test('the last page has no next', () => {
  const p = next(FIRST_PAGE, 'c2');
  assert.equal(next(p, null), p);
});

void test('a page opened from its URL goes back to the first page', () => {
  const p = fromUrl('c9');
  assert.equal(currentCursor(p), 'c9');
  assert.equal(pageNumber(p), 2);
  assert.equal(currentCursor(previous(p)), undefined);
  assert.deepEqual(fromUrl(null), FIRST_PAGE);
});

void test('Back and Forward in the browser keep the pages remembered', () => {
  const p = next(next(next(FIRST_PAGE, 'c2'), 'c3'), 'c4');
  assert.equal(syncWithUrl(p, 'c4'), p, 'the same page: unchanged');
  assert.deepEqual(syncWithUrl(p, 'c2').cursors, ['c2']);
  assert.deepEqual(syncWithUrl(p, null), FIRST_PAGE);
  assert.deepEqual(syncWithUrl(p, 'elsewhere').cursors, ['elsewhere']);
});
