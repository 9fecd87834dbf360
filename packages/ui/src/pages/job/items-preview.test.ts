import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cellText, columnsOf, parseItems } from './items-preview.js';

void test('whole lines only, parsed, up to the maximum', () => {
  const text = '{"a":1,"b":"x"}\n{"a":2,"c":[1]}\nnot json\n{"a":3}\n{"a":4,"cut';
  const items = parseItems(text, 10, false);
  assert.deepEqual(
    items.map((i) => i.fields),
    [{ a: 1, b: 'x' }, { a: 2, c: [1] }, 'not json', { a: 3 }],
  );
  assert.deepEqual(columnsOf(items), ['a', 'b', 'c']);
  assert.equal(parseItems(text, 2, false).length, 2);
  assert.equal(parseItems('{"a":1}', 5, true).length, 1, 'the whole file: its last line is whole');
  assert.deepEqual(parseItems('', 5, true), []);
});

void test('cells are one short line', () => {
  assert.equal(cellText('abc'), 'abc');
  assert.equal(cellText({ x: [1, 2] }), '{"x":[1,2]}');
  assert.equal(cellText(undefined), '');
  assert.equal(cellText('x'.repeat(10), 5), 'xxxx…');
});
