import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RequestContext } from '../auth/request-context.js';
import type { DomainEvent } from '../events/domain-events.js';
import { auditEntryOf, type AuditedEvent } from './entries.js';

const at = (e: DomainEvent) => ({ ...e, seq: 1, at: 5 }) as AuditedEvent;
const ALICE: RequestContext = { actor: { kind: 'user', id: 'u1', name: 'alice' }, address: '10.0.0.1' };
const ANON: RequestContext = { actor: { kind: 'anonymous', id: null, name: null }, address: '10.0.0.2' };
const job = { jobId: 'j1', runId: 'r1', project: 'p', spider: 's' };

void test('user, token and session changes read as commands, by name, with the summary the producer gave', () => {
  const e = auditEntryOf(
    at({
      type: 'access.changed',
      entity: 'token',
      id: 'tok_1',
      name: 'ci',
      change: 'created',
      userId: 'u1',
      summary: { role: 'maintainer', projects: ['p'] },
    }),
    ALICE,
  );
  assert.deepEqual(e, {
    at: 5,
    actor: ALICE.actor,
    action: 'token.create',
    target: 'ci',
    project: null,
    summary: { id: 'tok_1', userId: 'u1', role: 'maintainer', projects: ['p'] },
    address: '10.0.0.1',
  });
  const passwd = auditEntryOf(
    at({
      type: 'access.changed',
      entity: 'user',
      id: 'u2',
      name: 'bob',
      change: 'password-changed',
      userId: 'u2',
      summary: {},
    }),
    ALICE,
  );
  assert.deepEqual([passwd?.action, passwd?.summary], ['user.passwd', { id: 'u2' }]);
});

void test('logins: a refused one is anonymous with the name tried; an accepted one is the user it named', () => {
  const failed = auditEntryOf(
    at({
      type: 'access.login',
      ok: false,
      username: 'root',
      address: '10.9.9.9',
      via: 'basic',
      reason: 'wrong password',
    }),
    undefined,
  );
  assert.deepEqual(
    [failed?.action, failed?.actor.kind, failed?.target, failed?.address],
    ['login.failed', 'anonymous', 'root', '10.9.9.9'],
  );
  const ok = auditEntryOf(
    at({ type: 'access.login', ok: true, username: 'alice', address: '10.0.0.2', via: 'session', reason: null }),
    ANON,
  );
  assert.deepEqual(
    [ok?.action, ok?.actor, ok?.address],
    ['login.ok', { kind: 'user', id: null, name: 'alice' }, '10.0.0.2'],
  );
});

void test('what is not audited: cron fires, and the cancels of a deleted project (its deletion is)', () => {
  const fired = (trigger: 'cron' | 'manual') =>
    at({
      type: 'schedule.fired',
      scheduleId: 's1',
      project: 'p',
      scheduledAt: 1,
      trigger,
      status: 'queued',
      reasonCode: null,
      reason: null,
      jobId: 'j1',
    });
  assert.equal(auditEntryOf(fired('cron'), undefined), null);
  assert.equal(auditEntryOf(fired('manual'), ALICE)?.action, 'schedule.run');
  const cancelled = (why: 'cancelled' | 'project deleted') =>
    at({ type: 'job.cancelled', job, previousState: 'pending', signal: null, why });
  assert.equal(auditEntryOf(cancelled('project deleted'), ALICE), null);
  assert.equal(auditEntryOf(cancelled('cancelled'), ALICE)?.action, 'job.cancel');
});

void test('config changes: <entity>.<verb> on the changed thing, in its project', () => {
  const e = auditEntryOf(
    at({
      type: 'config.changed',
      entity: 'alert-rule',
      id: 'ar_1',
      project: null,
      change: 'deleted',
      summary: { name: 'r' },
    }),
    undefined,
  );
  assert.deepEqual([e?.action, e?.target, e?.actor.kind, e?.address], ['alert-rule.delete', 'ar_1', 'system', null]);
});
