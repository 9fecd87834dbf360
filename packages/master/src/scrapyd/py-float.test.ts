import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parsePythonFloat, pyBytesRepr, pythonFloatErrorMessage } from './py-float.js';

// Expected values checked against CPython 3.11 `float(b'...')`.
void test('accepts what float(bytes) accepts', () => {
  const cases: Array<[string, number]> = [
    ['0', 0],
    ['1', 1],
    ['-3', -3],
    ['+2.5', 2.5],
    [' 1_0e1 ', 100],
    ['.5', 0.5],
    ['+.5', 0.5],
    ['5.', 5],
    ['1.e5', 100000],
    ['1_000.000_1', 1000.0001],
    ['1e1_0', 1e10],
    ['1E-3', 0.001],
    ['\t\n\v\f\r 7 \r\n', 7],
    ['007', 7],
    ['1e999', Infinity],
    ['-1e999', -Infinity],
  ];
  for (const [input, expected] of cases) assert.equal(parsePythonFloat(input), expected, JSON.stringify(input));
  assert.ok(Object.is(parsePythonFloat('-0'), -0));
});

void test('inf, infinity and nan in any case, with a sign', () => {
  for (const s of ['inf', 'INF', '+Inf', 'infinity', 'iNfInItY', '+infinity']) {
    assert.equal(parsePythonFloat(s), Infinity, s);
  }
  for (const s of ['-inf', '-Infinity', ' -INFINITY ']) assert.equal(parsePythonFloat(s), -Infinity, s);
  for (const s of ['nan', 'NaN', '-nan', '+NAN']) assert.ok(Number.isNaN(parsePythonFloat(s)), s);
});

void test('rejects what float(bytes) rejects', () => {
  const bad = [
    '',
    '  ',
    '.',
    'e5',
    '1e',
    '1e+',
    '0x10',
    '0b1',
    '1__0',
    '_1',
    '1_',
    '1_.5',
    '1._5',
    '1e_5',
    '1_e5',
    '--1',
    '+-1',
    '1 2',
    'infinit',
    'infinityy',
    'nan1',
    'in f',
    '1,5',
    '1\x00',
    '\xa01',
    '١٢',
    'x',
    '1.2.3',
  ];
  for (const s of bad) assert.equal(parsePythonFloat(s), null, JSON.stringify(s));
});

void test('bytes input is read as bytes: non-ASCII never counts as digit or space', () => {
  assert.equal(parsePythonFloat(Buffer.from(' 42 ')), 42);
  assert.equal(parsePythonFloat(Buffer.from('\u00a01', 'utf8')), null);
  assert.equal(parsePythonFloat(Buffer.from([0x31, 0xff])), null);
});

void test('error message uses Python bytes repr', () => {
  assert.equal(pythonFloatErrorMessage(Buffer.from('x')), "could not convert string to float: b'x'");
  assert.equal(pythonFloatErrorMessage(Buffer.alloc(0)), "could not convert string to float: b''");
  assert.equal(pythonFloatErrorMessage(Buffer.from([0xa0, 0x31])), "could not convert string to float: b'\\xa01'");
});

void test('pyBytesRepr quotes and escapes like Python', () => {
  assert.equal(pyBytesRepr(Buffer.from("it's")), `b"it's"`);
  assert.equal(pyBytesRepr(Buffer.from('say "hi"')), `b'say "hi"'`);
  assert.equal(pyBytesRepr(Buffer.from(`both ' and "`)), `b'both \\' and "'`);
  assert.equal(
    pyBytesRepr(Buffer.from([0x5c, 0x20, 0x09, 0x0a, 0x0d, 0x00, 0x7f, 0xff, 0x7e])),
    "b'\\\\ \\t\\n\\r\\x00\\x7f\\xff~'",
  );
  // A view into a larger buffer only shows its own bytes.
  const big = Buffer.from('abcdef');
  assert.equal(pyBytesRepr(big.subarray(2, 4)), "b'cd'");
});
