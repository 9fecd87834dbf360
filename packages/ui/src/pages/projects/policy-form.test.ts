import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PlacementPolicy } from '@scrapyard/protocol';
import { formToPolicy, policySummary, policyToForm } from './policy-form.js';

const NONE: PlacementPolicy = {
  tags: null,
  maxRunning: null,
  retries: null,
  maxRunSeconds: null,
  stallSeconds: null,
  killGraceSeconds: null,
  retryOn: null,
  retryBackoffSeconds: null,
  retryBackoffMaxSeconds: null,
  uniqueArgs: null,
  startRate: null,
};

void test('policy form: a policy round-trips; empty fields inherit', () => {
  const p: PlacementPolicy = {
    ...NONE,
    tags: ['gpu', 'eu'],
    maxRunning: 3,
    retryOn: ['failed', 'lost'],
    uniqueArgs: ['category'],
    startRate: { count: 10, periodSeconds: 60 },
    retries: 0,
  };
  const form = policyToForm(p);
  assert.equal(form.tags, 'gpu, eu');
  assert.equal(form.startRate, '10/60');
  assert.equal(form.retries, '0', 'zero is a value, not inherit');
  assert.equal(form.stallSeconds, '');
  assert.deepEqual(formToPolicy(form), { ok: true, policy: p });
  assert.deepEqual(formToPolicy(policyToForm(NONE)), { ok: true, policy: NONE });
});

void test('policy form: lists are trimmed; a malformed number or rate is named, never dropped', () => {
  const form = { ...policyToForm(NONE), tags: ' a ,b,, ', maxRunning: 'three', startRate: '10 per minute' };
  const parsed = formToPolicy(form);
  assert.equal(parsed.ok, false);
  assert.deepEqual(Object.keys(parsed.ok ? {} : parsed.errors).sort(), ['maxRunning', 'startRate']);
  const ok = formToPolicy({ ...form, maxRunning: '2', startRate: ' 5 / 30 ' });
  assert.ok(ok.ok);
  assert.deepEqual(ok.policy.tags, ['a', 'b']);
  assert.deepEqual(ok.policy.startRate, { count: 5, periodSeconds: 30 });
});

void test('policy summary: only what is set', () => {
  assert.deepEqual(policySummary(NONE), []);
  assert.deepEqual(policySummary({ ...NONE, maxRunning: 2 }), [{ label: 'Running cap', value: '2' }]);
});

void test('policy form: an empty list (unique per spider alone, no tags) is "-", not the empty field of inherit', () => {
  const p: PlacementPolicy = { ...NONE, uniqueArgs: [], tags: [], retryOn: [] };
  const form = policyToForm(p);
  assert.deepEqual([form.uniqueArgs, form.tags, form.retryOn], ['-', '-', '-']);
  assert.deepEqual(formToPolicy(form), { ok: true, policy: p });
  assert.deepEqual(formToPolicy({ ...form, uniqueArgs: ' - ' }), { ok: true, policy: p });
  assert.deepEqual(policySummary({ ...NONE, uniqueArgs: [] }), [{ label: 'Unique key (arguments)', value: '-' }]);
});
