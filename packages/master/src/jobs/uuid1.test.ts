import assert from 'node:assert/strict';
import { test } from 'node:test';
import { uuid1Hex } from './uuid1.js';

void test('uuid1 ids: 32 hex, version 1, RFC variant, unique and ordered within one millisecond', () => {
  const ids = Array.from({ length: 1000 }, () => uuid1Hex(1_700_000_000_000));
  for (const id of ids) {
    assert.match(id, /^[0-9a-f]{32}$/);
    assert.equal(id[12], '1');
    assert.ok('89ab'.includes(id[16]!));
  }
  assert.equal(new Set(ids).size, ids.length);
});
