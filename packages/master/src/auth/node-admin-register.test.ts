/**
 * An enrollment key registers the same node again within REGISTER_RETRY_MS of its first use, until that node
 * connects: the agent whose credential could not be saved retries with the same token, gets a fresh secret, and
 * the one issued before stops working. A different node id, a node that already connected, or a late retry is
 * refused, so a token stolen after the fact can't take the node's identity.
 */
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { storedKeyOf } from '@scrapyard/protocol';
import { createNodesRepo } from '../db/repos/nodes.js';
import { openTestDatabase, testEachStore } from '../db/stores.test-support.js';
import { DomainEvents } from '../events/domain-events.js';
import { NodeCredentials } from './node-auth.js';
import { AgentRegistry } from '../registry/registry.js';
import { NodeAdmin, REGISTER_RETRY_MS } from './node-admin.js';

testEachStore('a used enrollment key re-registers the same node until it connects', {}, async (t, store) => {
  const db = await openTestDatabase(t, store);
  const logger = pino({ level: 'silent' });
  const events = new DomainEvents({ logger });
  const repo = createNodesRepo(db);
  let clock = 1_000_000;
  const admin = new NodeAdmin({
    repo,
    creds: new NodeCredentials(null),
    registry: new AgentRegistry(events),
    latestHost: () => undefined,
    now: () => clock,
    logger,
    events,
  });
  await admin.start();
  const storedKey = async (nodeId: string) => (await repo.get(nodeId))?.stored_key;
  const keyOf = (secret: string) => storedKeyOf(Buffer.from(secret, 'hex'));
  const enroll = async () => {
    const e = await admin.createEnrollment({ ttlSeconds: 60 });
    return { enrollKey: e.key, enrollSecret: e.secret, hostname: 'h' };
  };

  const e1 = await enroll();
  const first = await admin.register({ ...e1, nodeId: 'n1' }, 'test');
  clock += 61_000; // past the key's own expiry: the retry window counts from the first use
  const again = await admin.register({ ...e1, nodeId: 'n1' }, 'test');
  assert.equal(again.nodeId, 'n1');
  assert.notEqual(again.secret, first.secret, 'a fresh secret');
  assert.equal(await storedKey('n1'), keyOf(again.secret), 'the last one issued is the only valid one');
  await assert.rejects(admin.register({ ...e1, nodeId: 'other' }, 'test'), { code: 'ENROLLMENT_USED' });
  await assert.rejects(admin.register({ ...e1, enrollSecret: 'f'.repeat(64), nodeId: 'n1' }, 'test'), {
    code: 'ENROLLMENT_INVALID',
  });

  // The node connects with its secret (what onAuthenticated records): the key is spent for good.
  clock += 1_000;
  await repo.touch('n1', clock);
  await assert.rejects(admin.register({ ...e1, nodeId: 'n1' }, 'test'), { code: 'ENROLLMENT_USED' });
  assert.equal(await storedKey('n1'), keyOf(again.secret), 'the connected node keeps its credential');

  // Never connected, but the window is over.
  const e2 = await enroll();
  await admin.register({ ...e2, nodeId: 'n2' }, 'test');
  clock += REGISTER_RETRY_MS;
  await assert.rejects(admin.register({ ...e2, nodeId: 'n2' }, 'test'), { code: 'ENROLLMENT_USED' });
});
