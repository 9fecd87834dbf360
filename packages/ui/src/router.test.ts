import assert from 'node:assert/strict';
import { test } from 'node:test';
import { afterLogin, appPath, href, loginPath, matchRoute } from './router.js';

void test('app paths under /ui and back', () => {
  assert.equal(appPath('/ui'), '/');
  assert.equal(appPath('/ui/'), '/');
  assert.equal(appPath('/ui/jobs/x'), '/jobs/x');
  assert.equal(appPath('/uix/jobs'), '/', 'another prefix is not ours');
  assert.equal(href('/'), '/ui/');
  assert.equal(href('/me/tokens'), '/ui/me/tokens');
});

void test('a login returns to the page asked for, never elsewhere', () => {
  assert.equal(loginPath('/jobs?state=running'), '/login?next=%2Fjobs%3Fstate%3Drunning');
  assert.equal(loginPath('/'), '/login');
  assert.equal(afterLogin('/jobs?state=running'), '/jobs?state=running');
  assert.equal(afterLogin(null), '/');
  assert.equal(afterLogin('https://evil.example/'), '/');
  assert.equal(afterLogin('//evil.example/'), '/');
  assert.equal(afterLogin('/\\evil.example'), '/');
  assert.equal(afterLogin('/login?next=/x'), '/');
});

void test('route patterns with parameters', () => {
  assert.deepEqual(matchRoute('/jobs/:id', '/jobs/a%20b'), { id: 'a b' });
  assert.deepEqual(matchRoute('/me/tokens', '/me/tokens/'), {});
  assert.equal(matchRoute('/jobs/:id', '/jobs'), undefined);
  assert.equal(matchRoute('/jobs/:id', '/nodes/x'), undefined);
  assert.equal(matchRoute('/jobs/:id', '/jobs/%E0%A4%A'), undefined, 'a malformed escape matches nothing');
});
