import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BrowserSession } from '@scrapyard/protocol';
import { lastSeenByUser } from './users-view.js';

const s = (userId: string, lastSeenAt: number): BrowserSession => ({
  id: `${userId}-${lastSeenAt}`,
  userId,
  userName: userId,
  address: '127.0.0.1',
  userAgent: '',
  createdAt: 0,
  lastSeenAt,
  expiresAt: 0,
  absoluteExpiresAt: 0,
  current: false,
});

void test('the latest of each user’s sessions, none for a user without one', () => {
  const seen = lastSeenByUser([s('a', 5), s('b', 3), s('a', 9), s('a', 7)]);
  assert.deepEqual(
    [...seen],
    [
      ['a', 9],
      ['b', 3],
    ],
  );
  assert.equal(seen.get('c'), undefined);
});
