import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildSubmit, EMPTY_FORM, parsePairs } from './submit-form.js';

void test('a filled form becomes the submit body', () => {
  const built = buildSubmit({
    ...EMPTY_FORM,
    project: 'demo',
    spider: 'quick',
    version: '1_0',
    args: 'a=1\n\n  b = two words \nurl=http://x/?q=1',
    settings: 'DOWNLOAD_DELAY=0.5',
    tags: 'gpu, eu ,',
    priority: '2.5',
    retries: '3',
    maxRunSeconds: '600',
  });
  assert.deepEqual(built, {
    ok: true,
    body: {
      project: 'demo',
      spider: 'quick',
      version: '1_0',
      priority: 2.5,
      args: { a: '1', b: 'two words', url: 'http://x/?q=1' },
      settings: { DOWNLOAD_DELAY: '0.5' },
      tags: ['gpu', 'eu'],
      policy: { retries: 3, maxRunSeconds: 600 },
    },
  });
});

void test('a minimal form leaves the optional fields out (the policies decide)', () => {
  assert.deepEqual(buildSubmit({ ...EMPTY_FORM, project: 'p', spider: 's' }), {
    ok: true,
    body: { project: 'p', spider: 's', priority: 0, args: {}, settings: {} },
  });
});

void test('mistakes are pointed at before anything is sent', () => {
  const bad = (over: Partial<typeof EMPTY_FORM>) => {
    const b = buildSubmit({ ...EMPTY_FORM, project: 'p', spider: 's', ...over });
    return b.ok ? 'ok' : b.error;
  };
  assert.equal(buildSubmit(EMPTY_FORM).ok, false);
  assert.equal(bad({ args: 'a=1\noops' }), 'Arguments, line 2: write name=value');
  assert.equal(bad({ settings: '=x' }), 'Settings, line 1: write name=value');
  assert.equal(bad({ priority: 'high' }), 'Priority must be a number');
  assert.equal(bad({ retries: '-1' }), 'Retries must be a whole number of at least 0');
  assert.equal(bad({ stallSeconds: '0' }), 'Stall time must be a whole number of at least 1');
  assert.deepEqual(parsePairs('', 'x'), {});
});
