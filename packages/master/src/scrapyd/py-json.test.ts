import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pyFloatRepr, pyJson } from './py-json.js';

void test('separators, nesting and trailing newline match json.dumps', () => {
  assert.equal(
    pyJson({ pending: 2, running: 1, finished: 14, status: 'ok', node_name: 'node-1' }),
    '{"pending": 2, "running": 1, "finished": 14, "status": "ok", "node_name": "node-1"}\n',
  );
  assert.equal(
    pyJson({ a: [1, null, true, false], b: {}, c: [] }),
    '{"a": [1, null, true, false], "b": {}, "c": []}\n',
  );
  assert.equal(pyJson([]), '[]\n');
  assert.equal(pyJson(null), 'null\n');
  assert.equal(pyJson('x'), '"x"\n');
});

void test('strings: non-ASCII as \\uXXXX (surrogate pairs), short escapes, DEL escaped', () => {
  // Expected text produced by CPython json.dumps.
  assert.equal(
    pyJson('é😀\x7f\x00\u2028"\\\n\r\t\b\f/'),
    '"\\u00e9\\ud83d\\ude00\\u007f\\u0000\\u2028\\"\\\\\\n\\r\\t\\b\\f/"\n',
  );
  assert.equal(pyJson({ clé: 'v' }), '{"cl\\u00e9": "v"}\n');
  assert.equal(pyJson('\x1f'), '"\\u001f"\n');
});

void test('numbers: ints as ints, floats in Python repr, non-finite as NaN/Infinity', () => {
  const python =
    '{"a": 1, "b": 2.5, "d": NaN, "e": Infinity, "f": -Infinity, "g": 1e+16, "h": 1e-05, "i": 0.0001, ' +
    '"j": 123456789012345.67, "k": 1.5e+300, "l": -2.5e-10, "m": 0.1, "n": 1e+22, "o": 1.2345678901234568e+16}\n';
  const value = {
    a: 1,
    b: 2.5,
    d: NaN,
    e: Infinity,
    f: -Infinity,
    g: 1e16,
    h: 1e-5,
    i: 0.0001,
    j: 123456789012345.67,
    k: 1.5e300,
    l: -2.5e-10,
    m: 0.1,
    n: 1e22,
    o: 12345678901234568,
  };
  assert.equal(pyJson(value), python);
  assert.equal(pyJson(-0), '0\n');
  assert.equal(pyJson(2n ** 70n), '1180591620717411303424\n');
  assert.equal(pyJson(9007199254740991), '9007199254740991\n');
});

void test('pyFloatRepr covers fixed/scientific boundaries', () => {
  assert.equal(pyFloatRepr(1e15 + 0.5), '1000000000000000.5');
  assert.equal(pyFloatRepr(1e16), '1e+16');
  assert.equal(pyFloatRepr(0.00012), '0.00012');
  assert.equal(pyFloatRepr(0.000012), '1.2e-05');
  assert.equal(pyFloatRepr(-0), '-0.0');
  assert.equal(pyFloatRepr(3), '3.0');
  assert.equal(pyFloatRepr(5e-324), '5e-324');
  assert.equal(pyFloatRepr(1.7976931348623157e308), '1.7976931348623157e+308');
});

void test('Maps keep key order; undefined members skipped; unsupported values throw', () => {
  assert.equal(
    pyJson(
      new Map<string, unknown>([
        ['b', 1],
        ['1', 2],
      ]),
    ),
    '{"b": 1, "1": 2}\n',
  );
  assert.equal(pyJson({ a: undefined, b: 1 }), '{"b": 1}\n');
  assert.equal(pyJson([undefined]), '[null]\n');
  assert.throws(() => pyJson({ f: () => 1 }), TypeError);
  assert.throws(() => pyJson(new Map([[1, 2]])), TypeError);
  const loop: Record<string, unknown> = {};
  loop.self = loop;
  assert.throws(() => pyJson(loop), /Circular/);
  // The same object twice (not a cycle) is fine.
  const shared = { x: 1 };
  assert.equal(pyJson([shared, shared]), '[{"x": 1}, {"x": 1}]\n');
});
