import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deadReason, lastSeenFlushMs, sessionEndsAt } from './session-expiry.js';

const IDLE = 60_000;
const session = { createdAt: 1_000, lastSeenAt: 10_000, expiresAt: 100_000 };
const owner = { disabled: false, passwordChangedAt: 500 };

void test('a session ends at the earlier of its idle and absolute expiry', () => {
  assert.equal(sessionEndsAt(session, IDLE), 70_000);
  assert.equal(sessionEndsAt({ ...session, lastSeenAt: 90_000 }, IDLE), 100_000);
  assert.equal(deadReason(session, owner, 69_999, IDLE), null);
  assert.equal(deadReason(session, owner, 70_000, IDLE), 'idle');
  assert.equal(deadReason({ ...session, lastSeenAt: 99_000 }, owner, 99_999, IDLE), null);
  assert.equal(
    deadReason({ ...session, lastSeenAt: 99_000 }, owner, 100_000, IDLE),
    'expired',
    'however recently used',
  );
});

void test("a disabled user's session, and one older than the user's password, is dead", () => {
  assert.equal(deadReason(session, { ...owner, disabled: true }, 2_000, IDLE), 'user-disabled');
  assert.equal(deadReason(session, { ...owner, passwordChangedAt: 1_001 }, 2_000, IDLE), 'password-changed');
  assert.equal(deadReason(session, { ...owner, passwordChangedAt: 1_000 }, 2_000, IDLE), null, 'same instant');
});

void test('last use is written a tenth of the idle time apart, between 1/4 s and 30 s', () => {
  assert.equal(lastSeenFlushMs(3_600_000), 30_000);
  assert.equal(lastSeenFlushMs(60_000), 6_000);
  assert.equal(lastSeenFlushMs(1_000), 250);
});
