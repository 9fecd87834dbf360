import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AlertRule } from '@scrapyard/protocol';
import { describeCondition, emptyRuleForm, formFromRule, ruleProject, ruleRequestFromForm } from './rule-form.js';

const rule = (condition: AlertRule['condition']): AlertRule => ({
  id: 'r1',
  name: 'shop breaks',
  condition,
  channels: ['c1'],
  forSeconds: 60,
  repeatSeconds: null,
  sendResolved: false,
  enabled: true,
  mutedUntil: null,
  createdAt: 1,
  updatedAt: 1,
});

void test('each kind of rule through the form comes back as the same request', () => {
  const conditions: AlertRule['condition'][] = [
    { kind: 'job_outcome', project: 'shop', spider: 'products', outcomes: ['failed', 'lost'] },
    { kind: 'job_items', project: 'shop', spider: null, minPercentOfMedian: 50, baselineRuns: 7 },
    { kind: 'job_errors', project: null, spider: null, maxErrors: 3, httpStatus: '5xx', maxStatusPercent: 10 },
    { kind: 'schedule_fire', schedule: 's9', on: ['skipped'] },
    { kind: 'node_offline', node: null },
    { kind: 'node_resource', node: 'n1', resource: 'disk', abovePercent: 95 },
  ];
  for (const c of conditions) {
    const r = ruleRequestFromForm(formFromRule(rule(c)));
    assert.ok(r.ok, JSON.stringify(r));
    const { name, channels, forSeconds, repeatSeconds, sendResolved, enabled } = rule(c);
    assert.deepEqual(r.body, { name, condition: c, channels, forSeconds, repeatSeconds, sendResolved, enabled });
  }
});

void test('what the form can see is named per field', () => {
  const r = ruleRequestFromForm({ ...emptyRuleForm(), spider: 'products', outcomes: [] });
  assert.ok(!r.ok);
  assert.deepEqual(Object.keys(r.errors).sort(), ['name', 'outcomes', 'spider']);
  const items = ruleRequestFromForm({ ...emptyRuleForm('shop'), name: 'x', kind: 'job_items' });
  assert.ok(!items.ok);
  assert.equal(items.errors.minItems, 'set a minimum, a percent or both');
  const errors = ruleRequestFromForm({ ...emptyRuleForm('shop'), name: 'x', kind: 'job_errors', httpStatus: '404' });
  assert.ok(!errors.ok);
  assert.equal(errors.errors.httpStatus, 'a status and its percent go together');
});

void test('a rule in words, and its project', () => {
  const c = { kind: 'job_outcome', project: 'shop', spider: null, outcomes: ['failed'] } as const;
  assert.equal(describeCondition({ ...c, outcomes: ['failed'] }), 'shop: a crawl ends failed');
  assert.equal(ruleProject({ ...c, outcomes: ['failed'] }), 'shop');
  assert.equal(ruleProject({ kind: 'node_offline', node: null }), null);
  assert.equal(
    describeCondition({ kind: 'node_resource', resource: 'cpu', abovePercent: 90 }),
    'any node: cpu above 90%',
  );
});
