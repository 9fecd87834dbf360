import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LogDoc, tailRead, type RangeRead } from './log-doc.js';

/** A file of `n` lines `line <i>\n` (ASCII) and a range reader over it, as the API answers. */
function file(n: number) {
  const text = Array.from({ length: n }, (_, i) => `line ${i}\n`).join('');
  const read = (offset: number, length: number): RangeRead => {
    const start = Math.max(0, offset);
    const end = Math.min(text.length, start + length);
    return { size: text.length, start, end, text: text.slice(start, end) };
  };
  return { text, read };
}
const texts = (doc: LogDoc) => Array.from({ length: doc.lineCount }, (_, i) => doc.line(i).text);

void test('opens at the end with whole lines only, then reads earlier chunks that join exactly', () => {
  const f = file(1000);
  const doc = new LogDoc();
  doc.reset(f.read(f.text.length - 100, 100));
  assert.equal(doc.atEnd, true);
  assert.equal(texts(doc).at(-1), 'line 999');
  assert.ok(!texts(doc)[0]!.startsWith('ne')); // the cut head was dropped
  const before = doc.lineCount;
  assert.equal(doc.prepend(f.read(doc.start - 100, 100)), true);
  assert.ok(doc.lineCount > before);
  const all = texts(doc);
  const first = Number(all[0]!.split(' ')[1]);
  assert.deepEqual(
    all,
    Array.from({ length: 1000 - first }, (_, i) => `line ${first + i}`),
  );
  assert.equal(doc.line(0).start, f.text.indexOf(`${all[0]}\n`));
});

void test('a read that does not join is refused (the view jumped meanwhile)', () => {
  const f = file(100);
  const doc = new LogDoc();
  doc.reset(f.read(300, 100));
  assert.equal(doc.prepend(f.read(0, 100)), false);
  assert.equal(doc.append(f.read(600, 50)), -1);
});

void test('the number of chunks is bounded: far ones are dropped, and the caller told how many lines moved', () => {
  const f = file(10_000);
  const doc = new LogDoc(3);
  doc.reset(f.read(f.text.length - 1000, 1000));
  for (let i = 0; i < 5; i++) doc.prepend(f.read(doc.start - 1000, 1000));
  assert.equal(doc.chunkCount, 3);
  assert.equal(doc.atEnd, false); // the end was dropped: reading down reads it again
  // Reading down from the top: each full chunk starts a new one, and the first ones go.
  const down = new LogDoc(3);
  const big = file(50_000);
  down.reset(big.read(0, 70_000));
  assert.equal(down.append(big.read(down.end, 70_000)), 0);
  assert.equal(down.append(big.read(down.end, 70_000)), 0);
  const second = down.lineAt(70_000);
  const dropped = down.append(big.read(down.end, 70_000));
  assert.ok(dropped > 0);
  assert.equal(down.chunkCount, 3);
  assert.equal(down.lineAt(70_000), second - dropped);
  assert.equal(down.lineAt(10), -1);
});

void test('the live tail continues an open last line and keeps levels across pieces', () => {
  const doc = new LogDoc();
  const head = '2024-05-01 12:00:00 [a] ERROR: bo';
  doc.reset({ size: head.length, start: 0, end: head.length, text: head });
  assert.equal(doc.lineCount, 1);
  assert.equal(doc.append(tailRead(doc.end, 'om\nTraceback\n2024-05-01 12:00:01 [a] INFO: é')), 0);
  assert.deepEqual(texts(doc), ['2024-05-01 12:00:00 [a] ERROR: boom', 'Traceback', '2024-05-01 12:00:01 [a] INFO: é']);
  assert.deepEqual([doc.line(1).level, doc.line(2).level], ['ERROR', 'INFO']);
  doc.append(tailRead(doc.end, 't\n'));
  assert.equal(doc.line(2).text, '2024-05-01 12:00:01 [a] INFO: ét');
  assert.equal(doc.end, Buffer.byteLength(`${head}om\nTraceback\n2024-05-01 12:00:01 [a] INFO: ét\n`));
  assert.equal(doc.atEnd, true);
  // A piece overlapping what is held adds only what is new; one wholly held adds nothing.
  const held = doc.end;
  assert.equal(doc.append({ ...tailRead(held - 4, 'ét\nnext\n') }), 0);
  assert.equal(doc.line(3).text, 'next');
  assert.equal(doc.end, held + 5);
  assert.equal(doc.append(tailRead(held - 4, 'ét\n')), 0);
  assert.equal(doc.lineCount, 4);
  // A piece past the held end (the end was dropped while reading up) only moves the size.
  assert.equal(doc.append(tailRead(doc.end + 10, 'x\n')), -1);
  assert.equal(doc.atEnd, false);
});

void test('a byte offset maps to its line; the level filter keeps lines of no known level', () => {
  const text = '2024-05-01 12:00:00 [a] INFO: one\n2024-05-01 12:00:00 [a] WARNING: two\n  detail\nplain\n';
  const doc = new LogDoc();
  doc.reset({ size: text.length, start: 0, end: text.length, text });
  assert.equal(doc.lineAt(0), 0);
  assert.equal(doc.lineAt(text.indexOf('two')), 1);
  assert.equal(doc.lineAt(text.indexOf('detail')), 2);
  assert.equal(doc.lineAt(text.length + 5), -1);
  assert.deepEqual(doc.filter(new Set(['WARNING'])), [1, 2, 3]);
  assert.deepEqual(doc.filter(new Set(['INFO'])), [0]);
  const unknown = new LogDoc();
  unknown.reset({ size: 6, start: 0, end: 6, text: 'plain\n' });
  assert.deepEqual(unknown.filter(new Set()), [0]);
});
