/**
 * The one access re-check of open streams: which changes concern a stream, a check that keeps it (as the principal
 * proved now) or ends it once, a failing check that keeps it, a change during a check that checks once more, the
 * timer, and a stream no longer watched once closed.
 */
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import pino from 'pino';
import { waitFor } from '../../../../test/helpers/wait.js';
import { DomainEvents, type Published } from '../events/domain-events.js';
import type { Principal } from './principal.js';
import { concerns, samePrincipal, StreamAccess, type WatchedStream } from './stream-access.js';

const logger = pino({ level: 'silent' });
const STRANGER: Principal = { kind: 'anonymous' };
const ADMIN: Principal = { kind: 'admin', via: 'admin-token' };
const tokenOf = (projects: string[]): Principal => ({
  kind: 'token',
  tokenId: 'tok_1',
  name: 't',
  ownerId: 'u1',
  grants: [{ role: 'viewer', projects }],
});
const sessionOf: Principal = { kind: 'user', userId: 'u2', name: 'ann', grants: [], sessionId: 'ses_1' };

const change = (entity: 'user' | 'token' | 'session', id: string): Published<'access.changed'> => ({
  type: 'access.changed',
  entity,
  id,
  name: 'n',
  change: 'updated',
  userId: null,
  summary: {},
  seq: 1,
  at: 0,
});

/** Lets the check an event scheduled (after every subscriber ran) start and finish. */
const settle = async () => {
  for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
};

function setup(t: TestContext) {
  const events = new DomainEvents({ logger });
  const access = new StreamAccess({ events, logger });
  t.after(() => access.stop());
  const publish = (entity: 'user' | 'token' | 'session', id: string) => {
    const { seq: _seq, at: _at, ...e } = change(entity, id);
    events.publish(e);
  };
  /** A stream whose credentials prove `proves.now` (or throw) at each check. */
  const open = (principal: Principal, proves: { now: Principal | Error }, everyMs = 3_600_000) => {
    const seen = { checks: 0, ended: 0, kept: [] as Principal[] };
    const stream: WatchedStream = {
      principal,
      reidentify: async () => {
        seen.checks++;
        if (proves.now instanceof Error) throw proves.now;
        return proves.now;
      },
      allows: (now, before) => samePrincipal(before, now),
      kept: (now) => seen.kept.push(now),
      end: () => seen.ended++,
    };
    const unwatch = access.watch(stream, everyMs);
    return { stream, seen, unwatch };
  };
  return { access, publish, open };
}

void test('concerns: the principal holding the stream, a token by its owner, a stranger by every change', () => {
  assert.ok(concerns(change('token', 'tok_1'), tokenOf([])));
  assert.ok(concerns(change('user', 'u1'), tokenOf([])), 'the token owner');
  assert.equal(concerns(change('token', 'tok_2'), tokenOf([])), false);
  assert.ok(concerns(change('session', 'ses_1'), sessionOf));
  assert.ok(concerns(change('user', 'u2'), sessionOf));
  assert.equal(concerns(change('session', 'ses_2'), sessionOf), false);
  assert.equal(concerns(change('user', 'u1'), ADMIN), false);
  assert.ok(concerns(change('user', 'someone'), STRANGER), 'the first user ends the open default');
  assert.ok(samePrincipal(sessionOf, { ...sessionOf, grants: [{ role: 'admin', projects: '*' }] }));
  assert.equal(samePrincipal(sessionOf, { ...sessionOf, sessionId: 'ses_2' }), false);
  assert.equal(samePrincipal(STRANGER, STRANGER), false, 'a stranger is never the same');
});

void test('a concerning change checks: kept as the principal proved now, or ended once and no longer watched', async (t) => {
  const { access, publish, open } = setup(t);
  const proves: { now: Principal | Error } = { now: tokenOf(['a', 'b']) };
  const s = open(tokenOf(['a']), proves);
  const admin = open(ADMIN, { now: STRANGER });
  publish('token', 'tok_2');
  await settle();
  assert.equal(s.seen.checks, 0, 'a change about someone else checks nothing');
  publish('user', 'u1');
  await settle();
  assert.equal(s.seen.checks, 1);
  assert.deepEqual(s.seen.kept, [proves.now]);
  assert.deepEqual(s.stream.principal, proves.now, 'the stream goes on as what its credentials prove now');

  proves.now = STRANGER;
  publish('token', 'tok_1');
  publish('token', 'tok_1');
  await settle();
  assert.equal(s.seen.ended, 1);
  assert.equal(access.size, 1, 'only the admin stream is still watched');
  publish('token', 'tok_1');
  await settle();
  assert.equal(s.seen.ended, 1, 'ended once');
  assert.equal(admin.seen.checks, 0);
});

void test('a failing check keeps the stream; a change during a check checks once more after it', async (t) => {
  const { publish, open } = setup(t);
  const s = open(tokenOf(['a']), { now: new Error('store down') });
  publish('token', 'tok_1');
  await settle();
  assert.equal(s.seen.checks, 1);
  assert.equal(s.seen.ended, 0, 'a failure says nothing about the access');

  let release!: () => void;
  let checks = 0;
  const slow = open(tokenOf(['a']), { now: tokenOf(['a']) });
  slow.stream.reidentify = () => {
    checks++;
    return new Promise<Principal>((resolve) => (release = () => resolve(tokenOf(['a']))));
  };
  publish('token', 'tok_1');
  await settle();
  publish('token', 'tok_1');
  publish('token', 'tok_1');
  await settle();
  assert.equal(checks, 1, 'one check at a time');
  release();
  await waitFor(() => checks === 2, { what: 'the check asked for meanwhile' });
  release();
  await settle();
  assert.equal(checks, 2, 'the two changes meanwhile make one more check');
});

void test('the timer checks without any event; a closed stream is no longer checked', async (t) => {
  const { access, open } = setup(t);
  const s = open(tokenOf(['a']), { now: tokenOf(['a']) }, 20);
  await waitFor(() => s.seen.checks >= 2, { what: 'two timer checks' });
  s.unwatch();
  assert.equal(access.size, 0);
  const after = s.seen.checks;
  const other = open(tokenOf(['a']), { now: tokenOf(['a']) }, 20);
  await waitFor(() => other.seen.checks >= 2, { what: 'another stream checked twice meanwhile' });
  assert.equal(s.seen.checks, after);
});
