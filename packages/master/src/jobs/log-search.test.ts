/** The log search: matches across chunk edges found once, both directions, limits and budgets that say where to go on. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lineAround, searchBytes, type ReadAt, type SearchOptions } from './log-search.js';

const file = (s: string) => {
  const buf = Buffer.from(s);
  const read: ReadAt = (pos, len) => Promise.resolve(buf.subarray(pos, pos + len));
  return { buf, read, size: buf.length };
};
const opts = (o: Partial<SearchOptions>): SearchOptions => ({
  needle: Buffer.from('ERROR'),
  direction: 'forward',
  limit: 100,
  ignoreCase: false,
  chunkBytes: 4,
  budgetBytes: 1 << 30,
  ...o,
});
const all = (hay: string, needle: string) => {
  const out: number[] = [];
  for (let i = hay.indexOf(needle); i >= 0; i = hay.indexOf(needle, i + 1)) out.push(i);
  return out;
};

void test('every match once, whatever the chunk size cuts through', async () => {
  const text = 'x ERROR y\nERRORERROR z ERRO ERROR\nERROR';
  const { read, size } = file(text);
  const want = all(text, 'ERROR');
  for (const chunkBytes of [1, 2, 3, 4, 5, 7, 64]) {
    const fwd = await searchBytes(read, size, opts({ chunkBytes }));
    assert.deepEqual([fwd.offsets, fwd.next], [want, null], `forward, chunks of ${chunkBytes}`);
    const back = await searchBytes(read, size, opts({ chunkBytes, direction: 'backward' }));
    assert.deepEqual([back.offsets, back.next], [[...want].reverse(), null], `backward, chunks of ${chunkBytes}`);
  }
});

void test('a limit or a budget stops the search where the next one goes on, without a gap or a repeat', async () => {
  const text = 'ERROR a\n'.repeat(40);
  const { read, size } = file(text);
  const want = all(text, 'ERROR');
  for (const direction of ['forward', 'backward'] as const) {
    for (const o of [{ limit: 3 }, { budgetBytes: 20 }]) {
      const seen: number[] = [];
      let from: number | undefined;
      for (let i = 0; i < 200; i++) {
        const r = await searchBytes(read, size, opts({ ...o, direction, from, chunkBytes: 8 }));
        seen.push(...r.offsets);
        if (r.next === null) break;
        from = r.next;
      }
      assert.deepEqual(seen, direction === 'forward' ? want : [...want].reverse(), `${direction} ${JSON.stringify(o)}`);
    }
  }
});

void test('from, ignoreCase, and the line around a match', async () => {
  const text = 'first line\nsecond Error here\nthird\n';
  const { read, size } = file(text);
  assert.deepEqual((await searchBytes(read, size, opts({ ignoreCase: true }))).offsets, [18]);
  assert.deepEqual((await searchBytes(read, size, opts({}))).offsets, []);
  assert.deepEqual((await searchBytes(read, size, opts({ ignoreCase: true, from: 19 }))).offsets, []);
  assert.deepEqual(
    (await searchBytes(read, size, opts({ ignoreCase: true, direction: 'backward', from: 18 }))).offsets,
    [],
  );
  assert.deepEqual(await lineAround(read, size, 2048)(18), { lineStart: 11, line: 'second Error here' });
  assert.deepEqual(await lineAround(read, size, 2048)(0), { lineStart: 0, line: 'first line' });
  // A long line is shown up to the bound each side of the match.
  assert.deepEqual(await lineAround(read, size, 3)(18), { lineStart: 15, line: 'nd Err' });
});
