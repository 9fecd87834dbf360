import assert from 'node:assert/strict';
import { test } from 'node:test';
import { currentCursor, firstPage, hasPrevious, nextPage, pageNumber, previousPage } from './cursor-stack.js';

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
