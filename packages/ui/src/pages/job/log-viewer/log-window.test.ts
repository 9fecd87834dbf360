import assert from 'node:assert/strict';
import { test } from 'node:test';
import { atBottom, lineWindow, rangeAround, rangeBefore, wantMore } from './log-window.js';

void test('only the rows in view and a margin are rendered', () => {
  assert.deepEqual(lineWindow(0, 200, 20, 1_000_000, 5), { first: 0, last: 15 });
  assert.deepEqual(lineWindow(2000, 200, 20, 1_000_000, 5), { first: 95, last: 115 });
  assert.deepEqual(lineWindow(2000, 200, 20, 104, 5), { first: 95, last: 104 });
  assert.deepEqual(lineWindow(0, 200, 20, 0, 5), { first: 0, last: 0 });
});

void test('follow mode holds within one line of the bottom', () => {
  assert.equal(atBottom(800, 200, 1000, 20), true);
  assert.equal(atBottom(785, 200, 1000, 20), true);
  assert.equal(atBottom(700, 200, 1000, 20), false);
});

void test('more is read near the held edges, only where the file has more', () => {
  const mid = { atStart: false, atEnd: false };
  assert.equal(wantMore({ first: 3, last: 40 }, 500, 50, mid), 'before');
  assert.equal(wantMore({ first: 3, last: 40 }, 500, 50, { atStart: true, atEnd: false }), null);
  assert.equal(wantMore({ first: 300, last: 460 }, 500, 50, mid), 'after');
  assert.equal(wantMore({ first: 300, last: 460 }, 500, 50, { atStart: false, atEnd: true }), null);
  assert.equal(wantMore({ first: 100, last: 200 }, 500, 50, mid), null);
});

void test('ranges before a byte and around a match', () => {
  assert.deepEqual(rangeBefore(100_000, 65_536), { offset: 34_464, length: 65_536 });
  assert.deepEqual(rangeBefore(1000, 65_536), { offset: 0, length: 1000 });
  assert.equal(rangeBefore(0, 65_536), null);
  assert.deepEqual(rangeAround(10, 1000), { offset: 0, length: 1000 });
  assert.deepEqual(rangeAround(5000, 1000), { offset: 4500, length: 1000 });
});
