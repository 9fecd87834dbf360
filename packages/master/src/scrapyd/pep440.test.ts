import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareCodePoints, comparePep440, formatPep440, parsePep440, sortVersionNames } from './pep440.js';

const norm = (s: string): string | null => {
  const v = parsePep440(s);
  return v === null ? null : formatPep440(v);
};

// Normalized forms and invalid inputs checked against packaging 26.2 `str(Version(s))`.
void test('parses the full grammar and normalizes like packaging', () => {
  const cases: Array<[string, string]> = [
    ['1', '1'],
    ['01.002', '1.2'],
    ['v1.0', '1.0'],
    ['V1.0', '1.0'],
    [' 1.0 ', '1.0'],
    ['1!1.0', '1!1.0'],
    ['0!1.0', '1.0'],
    ['1.0a1', '1.0a1'],
    ['1.0A', '1.0a0'],
    ['1.0alpha2', '1.0a2'],
    ['1.0-beta.3', '1.0b3'],
    ['1.0_b', '1.0b0'],
    ['1.0c1', '1.0rc1'],
    ['1.0pre', '1.0rc0'],
    ['1.0preview1', '1.0rc1'],
    ['1.0RC1', '1.0rc1'],
    ['1.0-1', '1.0.post1'],
    ['1.0post', '1.0.post0'],
    ['1.0-r2', '1.0.post2'],
    ['1.0rev3', '1.0.post3'],
    ['1.0_post_4', '1.0.post4'],
    ['1.0-post1', '1.0.post1'],
    ['1.0.post-1', '1.0.post1'],
    ['1-0', '1.post0'],
    ['1.0dev', '1.0.dev0'],
    ['1.0-dev-2', '1.0.dev2'],
    ['1.0a1.post1.dev2', '1.0a1.post1.dev2'],
    ['1.0+ABC-2_x', '1.0+abc.2.x'],
    ['1.0+00', '1.0+0'],
    ['1700000000', '1700000000'],
    ['123456789012345678901234567890', '123456789012345678901234567890'],
  ];
  for (const [input, expected] of cases) assert.equal(norm(input), expected, input);
});

void test('rejects what packaging rejects', () => {
  for (const s of [
    '',
    'abc',
    'r1',
    '1_0',
    '1_9',
    '1_10',
    '2024_01_02',
    '1.0 a1',
    '1.0+',
    '+1',
    '1.0.',
    '.1',
    '1..0',
    '1.0-',
    '1.0aa',
    '1.0-1-1',
    '1_0a1',
    'v',
    '1.0+a..b',
  ]) {
    assert.equal(parsePep440(s), null, JSON.stringify(s));
  }
});

void test('spec ordering: dev < a < b < rc < final < post', () => {
  const ordered = ['1.0.dev1', '1.0a1', '1.0b1', '1.0rc1', '1.0', '1.0.post1'];
  for (let i = 0; i + 1 < ordered.length; i++) {
    assert.equal(comparePep440(ordered[i] ?? '', ordered[i + 1] ?? ''), -1, `${ordered[i]} < ${ordered[i + 1]}`);
  }
  assert.deepEqual(sortVersionNames([...ordered].reverse()), ordered);
});

void test('finer PEP 440 ordering rules', () => {
  const ordered = [
    '1.0.dev456',
    '1.0a1',
    '1.0a2.dev456',
    '1.0a12.dev456',
    '1.0a12',
    '1.0b1.dev456',
    '1.0b2',
    '1.0b2.post345.dev456',
    '1.0b2.post345',
    '1.0rc1.dev456',
    '1.0rc1',
    '1.0',
    '1.0+abc.5',
    '1.0+abc.7',
    '1.0+5',
    '1.0.post456.dev34',
    '1.0.post456',
    '1.1.dev1',
    '1!0.1',
  ];
  const shuffled = [...ordered.slice(7), ...ordered.slice(0, 7)].reverse();
  assert.deepEqual(sortVersionNames(shuffled), ordered);
  assert.equal(comparePep440('1.0', '1.0.0'), 0);
  assert.equal(comparePep440('1.0a', '1.0a0'), 0);
  assert.equal(comparePep440('1.0+a', '1.0+a.0'), -1); // longer local wins
  assert.equal(comparePep440('1.0+abc', '1.0+1'), -1); // strings sort below numbers
  assert.equal(comparePep440('2', '10'), -1);
  assert.throws(() => comparePep440('1_0', '1'), TypeError);
});

void test('sortVersionNames: lexical fallback when any name is not PEP 440 (docs/scrapyd-api.md §2.2)', () => {
  assert.deepEqual(sortVersionNames(['1_9', '1_10']), ['1_10', '1_9']);
  assert.deepEqual(sortVersionNames(['1_9', '1_10', '2']), ['1_10', '1_9', '2']);
  // One sanitized dotted name forces lexical order for everybody, timestamps included.
  assert.deepEqual(sortVersionNames(['1700000000', '999999999', '0_1']), ['0_1', '1700000000', '999999999']);
  assert.deepEqual(sortVersionNames(['r10', 'r9', 'r1']), ['r1', 'r10', 'r9']);
  assert.deepEqual(sortVersionNames(['b', 'B', 'a']), ['B', 'a', 'b']);
});

void test('sortVersionNames: all-digit timestamps sort numerically; latest is last', () => {
  const sorted = sortVersionNames(['1700003600', '999999999', '1700000000']);
  assert.deepEqual(sorted, ['999999999', '1700000000', '1700003600']);
  assert.equal(sorted.at(-1), '1700003600');
  assert.deepEqual(sortVersionNames([]), []);
  // Equal versions keep a stable, deterministic order between themselves.
  assert.deepEqual(sortVersionNames(['v1', '1', '01']), ['01', '1', 'v1']);
  // Input is not mutated.
  const input = ['2', '1'];
  sortVersionNames(input);
  assert.deepEqual(input, ['2', '1']);
});

void test('compareCodePoints orders by code point, not UTF-16 unit', () => {
  assert.equal(compareCodePoints('\u{1F600}', '\uFFFF'), 1); // JS < would say -1
  assert.equal(compareCodePoints('a', 'ab'), -1);
  assert.equal(compareCodePoints('ab', 'ab'), 0);
});
