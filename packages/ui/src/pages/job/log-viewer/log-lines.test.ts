import assert from 'node:assert/strict';
import { test } from 'node:test';
import { charIndexAtByte, parseLevel, splitLines, utf8Length, wholeLines } from './log-lines.js';

void test("levels read from Scrapy's log format; other lines have none", () => {
  assert.equal(parseLevel('2024-05-01 12:00:00 [scrapy.core.engine] INFO: Spider opened'), 'INFO');
  assert.equal(parseLevel('2024-05-01 12:00:00,123 [quotes] WARNING: slow'), 'WARNING');
  assert.equal(parseLevel('2024-05-01 12:00:00 [scrapy.core.scraper] ERROR: Spider error processing'), 'ERROR');
  assert.equal(parseLevel('Traceback (most recent call last):'), undefined);
  assert.equal(parseLevel('2024-05-01 12:00:00 INFO: no logger'), undefined);
  assert.equal(parseLevel('2024-05-01 12:00:00 [x] NOTICE: not a level'), undefined);
});

void test('UTF-8 lengths count multi-byte characters and surrogate pairs', () => {
  for (const s of ['', 'abc', 'é', '€uro', '😀', 'a😀é€\n']) assert.equal(utf8Length(s), Buffer.byteLength(s), s);
});

void test('a byte offset maps to the character starting there', () => {
  const s = 'aé€😀b';
  assert.deepEqual(
    [0, 1, 3, 6, 10, 11].map((b) => charIndexAtByte(s, b)),
    [0, 1, 2, 3, 5, 6],
  );
});

void test('lines carry their byte offsets; continuation lines inherit the level before them', () => {
  const text = '2024-05-01 12:00:00 [a] ERROR: boom\nTraceback é\n2024-05-01 12:00:01 [a] INFO: ok\r\n';
  const lines = splitLines(text, 100, 'DEBUG');
  assert.deepEqual(lines.text, [
    '2024-05-01 12:00:00 [a] ERROR: boom',
    'Traceback é',
    '2024-05-01 12:00:01 [a] INFO: ok',
  ]);
  assert.deepEqual(lines.starts, [100, 136, 149]);
  assert.deepEqual(lines.levels, ['ERROR', 'ERROR', 'INFO']);
  assert.deepEqual(splitLines('x\ny', 0, 'DEBUG').levels, ['DEBUG', 'DEBUG']);
  assert.deepEqual(splitLines('', 0).text, []);
});

void test('a range is cut to whole lines, except at the file edges and for a line longer than it', () => {
  // Bytes 10..30 of a file of 50: the head before the first newline and the tail after the last are cut lines.
  assert.deepEqual(wholeLines('ad\nline one\nli', 10, 24, 50), { text: 'line one\n', start: 13, end: 22 });
  assert.deepEqual(wholeLines('é\nfin', 0, 7, 7), { text: 'é\nfin', start: 0, end: 7 });
  assert.deepEqual(wholeLines('x\né\nta', 5, 12, 20), { text: 'é\n', start: 7, end: 10 });
  assert.deepEqual(wholeLines('no newline here', 5, 20, 90), { text: 'no newline here', start: 5, end: 20 });
});
