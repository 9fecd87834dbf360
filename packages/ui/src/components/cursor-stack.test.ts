import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  currentCursor,
  firstPage,
  fromCursor,
  hasPrevious,
  nextPage,
  pageNumber,
  previousPage,
  syncWithCursor,
} from './cursor-stack.js';

void test('next pushes the answer’s cursor, previous goes back to the one before, the first page stays', () => {
  let s = firstPage<number>();
  assert.equal(currentCursor(s), undefined);
  assert.equal(hasPrevious(s), false);
  assert.equal(previousPage(s), s);
  s = nextPage(s, 90);
  s = nextPage(s, 40);
  assert.equal(currentCursor(s), 40);
  assert.equal(pageNumber(s), 3);
  s = previousPage(s);
  assert.equal(currentCursor(s), 90);
  assert.equal(hasPrevious(s), true);
  s = previousPage(s);
  assert.equal(currentCursor(s), undefined);
  assert.equal(pageNumber(s), 1);
});

void test('no next cursor: the stack stays where it is', () => {
  const s = nextPage(firstPage<string>(), 'c1');
  assert.equal(nextPage(s, null), s);
});

void test('a page opened from its URL goes back to the first page', () => {
  const s = fromCursor('c9');
  assert.equal(currentCursor(s), 'c9');
  assert.equal(pageNumber(s), 2);
  assert.equal(currentCursor(previousPage(s)), undefined);
  assert.deepEqual(fromCursor(undefined), firstPage());
});

void test('Back and Forward in the browser keep the pages remembered', () => {
  const s = nextPage(nextPage(nextPage(firstPage<string>(), 'c2'), 'c3'), 'c4');
  assert.equal(syncWithCursor(s, 'c4'), s, 'the same page: unchanged');
  assert.deepEqual(syncWithCursor(s, 'c2').trail, [undefined, 'c2']);
  assert.deepEqual(syncWithCursor(s, undefined), firstPage());
  assert.deepEqual(syncWithCursor(s, 'elsewhere').trail, [undefined, 'elsewhere']);
});
