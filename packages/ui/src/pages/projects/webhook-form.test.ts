import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Webhook } from '@scrapyard/protocol';
import { createWebhookBody, emptyWebhookForm, formFromWebhook, updateWebhookBody, urlChanged } from './webhook-form.js';

const hook: Webhook = {
  id: 'wh_1',
  name: 'ci',
  url: 'https://example.com/a',
  project: 'demo',
  spider: 'quick',
  events: ['job.finished'],
  items: false,
  itemsPerBatch: 100,
  ratePerSecond: 1,
  enabled: true,
  createdAt: 1,
  updatedAt: 1,
};

void test("a new webhook belongs to the page's project; empty fields are the master's defaults", () => {
  const f = { ...emptyWebhookForm(), name: ' ', url: ' https://example.com/x ', events: ['job.failed' as const] };
  assert.deepEqual(createWebhookBody(f, 'demo'), {
    ok: true,
    body: {
      name: null,
      url: 'https://example.com/x',
      events: ['job.failed'],
      items: false,
      enabled: true,
      project: 'demo',
      spider: null,
    },
  });
  const full = { ...f, spider: 'quick', itemsPerBatch: '50', ratePerSecond: '0.5', secret: 'whsec_x', items: true };
  const r = createWebhookBody(full, 'demo');
  assert.ok(r.ok);
  assert.deepEqual(
    [r.body.spider, r.body.itemsPerBatch, r.body.ratePerSecond, r.body.secret],
    ['quick', 50, 0.5, 'whsec_x'],
  );
});

void test('the form points at what it can see itself, field by field', () => {
  const r = createWebhookBody(
    { ...emptyWebhookForm(), events: [], itemsPerBatch: '1.5', ratePerSecond: '-1', secret: 's', rotateSecret: true },
    'demo',
  );
  assert.deepEqual(r.ok ? {} : Object.keys(r.errors).sort(), [
    'events',
    'itemsPerBatch',
    'ratePerSecond',
    'secret',
    'url',
  ]);
});

void test('an edit sends every field, the secret only when given, a rotation only when asked', () => {
  const f = formFromWebhook(hook);
  assert.deepEqual(updateWebhookBody(f, hook), {
    ok: true,
    body: {
      name: 'ci',
      url: 'https://example.com/a',
      events: ['job.finished'],
      items: false,
      itemsPerBatch: 100,
      ratePerSecond: 1,
      enabled: true,
      spider: 'quick',
    },
  });
  assert.equal(urlChanged(f, hook), false);
  const moved = { ...f, url: 'https://example.com/b', spider: '', rotateSecret: true };
  assert.equal(urlChanged(moved, hook), true);
  const r = updateWebhookBody(moved, hook);
  assert.ok(r.ok);
  assert.deepEqual([r.body.spider, r.body.rotateSecret, r.body.secret], [null, true, undefined]);
  // A webhook of every project keeps its scope (no spider without a project).
  const global = updateWebhookBody(formFromWebhook({ ...hook, project: null, spider: null }), {
    ...hook,
    project: null,
  });
  assert.ok(global.ok && !('spider' in global.body));
});
