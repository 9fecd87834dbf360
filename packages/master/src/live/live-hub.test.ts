/**
 * The hub with the real domain event stream and in-memory sinks: fan-out by read grant and family, resume with no
 * gap and no duplicate, resets, a slow client cut off, credentials re-checked on access.changed.
 */
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { setImmediate as tick } from 'node:timers/promises';
import { pino } from 'pino';
import { LiveEvent, type LiveFamily } from '@scrapyard/protocol';
import type { Principal } from '../auth/principal.js';
import { DomainEvents, type DomainEvent } from '../events/domain-events.js';
import { LiveHub, type LiveHubOptions } from './live-hub.js';

const logger = pino({ level: 'silent' });

/** A response that keeps what is written; `stuck`: the client reads nothing (the queue grows). */
class Sink {
  text = '';
  writableLength = 0;
  ended = false;
  destroyed = false;
  stuck = false;
  write(s: string): boolean {
    this.text += s;
    if (this.stuck) this.writableLength += s.length;
    return !this.stuck;
  }
  end(): void {
    this.ended = true;
  }
  destroy(): void {
    this.destroyed = true;
  }
  /** The messages written: [event, id, data]. */
  messages(): [string, string, unknown][] {
    return this.text
      .split('\n\n')
      .filter((b) => b.startsWith('id: '))
      .map((b) => {
        const [id, event, data] = b.split('\n').map((l) => l.slice(l.indexOf(': ') + 2));
        return [event!, id!, JSON.parse(data!) as unknown];
      });
  }
  events(): string[] {
    return this.messages()
      .filter(([e]) => !['ready', 'reset', 'end'].includes(e))
      .map(
        ([e, , d]) => `${e} ${(d as { jobId?: string; nodeId?: string }).jobId ?? (d as { nodeId: string }).nodeId}`,
      );
  }
}

const ADMIN: Principal = { kind: 'admin', via: 'admin-token' };
const viewerOf = (...projects: string[]): Principal => ({
  kind: 'token',
  tokenId: 'tok_1',
  name: 'v',
  ownerId: 'u1',
  grants: [{ role: 'viewer', projects }],
});

function setup(t: TestContext, o: Partial<LiveHubOptions> = {}) {
  const events = new DomainEvents({ logger });
  const hub = new LiveHub({ events, logger, ...o });
  t.after(() => hub.stop());
  const open = (
    principal: Principal,
    more: { lastEventId?: string; families?: LiveFamily[]; reidentify?: () => Promise<Principal> } = {},
  ) => {
    const sink = new Sink();
    const conn = hub.attach({
      sink,
      principal,
      families: more.families,
      lastEventId: more.lastEventId,
      reidentify: more.reidentify ?? (async () => principal),
    });
    return { sink, conn };
  };
  const job = (project: string, jobId: string) => ({ jobId, runId: `r-${jobId}`, project, spider: 's' });
  const queued = (project: string, jobId: string): DomainEvent => ({
    type: 'job.queued',
    job: job(project, jobId),
    priority: 0,
    tags: [],
    attempt: 1,
    argNames: ['token'],
  });
  return { events, hub, open, job, queued };
}

void test('each stream gets what its principal may read, of the families it asked for', (t) => {
  const { events, open, queued, job } = setup(t);
  const admin = open(ADMIN);
  const alpha = open(viewerOf('alpha'));
  const nodesOnly = open(ADMIN, { families: ['node'] });
  events.publish(queued('alpha', 'a1'));
  events.publish(queued('bravo', 'b1'));
  events.publish({ type: 'node.online', nodeId: 'n1', kind: 'permanent' });
  events.publish({ type: 'job.output', runId: 'r-a1', stream: 'log', end: 10 });
  events.publish({
    type: 'alert.changed',
    alertId: 'al1',
    ruleId: 'ar1',
    ruleKind: 'node_offline',
    project: null,
    subject: 'n1',
    state: 'firing',
  });
  events.publish({
    type: 'job.cancelled',
    job: job('alpha', 'a1'),
    previousState: 'pending',
    signal: null,
    why: 'cancelled',
  });
  assert.deepEqual(admin.sink.events(), [
    'job.queued a1',
    'job.queued b1',
    'node.online n1',
    'alert.changed undefined',
    'job.cancelled a1',
  ]);
  assert.deepEqual(alpha.sink.events(), ['job.queued a1', 'job.cancelled a1']);
  assert.deepEqual(nodesOnly.sink.events(), ['node.online n1']);
  // Every message is a LiveEvent of its type, under an id of this stream; arguments by name only.
  const [ready, ...rest] = admin.sink.messages();
  assert.deepEqual([ready![0], ready![2]], ['ready', { resumed: false }]);
  for (const [type, id, data] of rest) {
    assert.equal(LiveEvent.parse(data).type, type);
    assert.match(id, /^[0-9a-z]+-\d+$/);
  }
  assert.deepEqual((rest[0]![2] as { argNames: string[] }).argNames, ['token']);
});

void test('a resume replays exactly what the stream missed, then goes live', (t) => {
  const { events, open, queued } = setup(t);
  const first = open(viewerOf('alpha'));
  events.publish(queued('alpha', 'a1'));
  const lastId = first.sink.messages().at(-1)![1];
  first.conn.close();
  events.publish(queued('alpha', 'a2'));
  events.publish(queued('bravo', 'b1'));
  events.publish(queued('alpha', 'a3'));
  const again = open(viewerOf('alpha'), { lastEventId: lastId });
  events.publish(queued('alpha', 'a4'));
  const [ready] = again.sink.messages();
  assert.deepEqual(ready, ['ready', lastId, { resumed: true }]);
  assert.deepEqual(again.sink.events(), ['job.queued a2', 'job.queued a3', 'job.queued a4']);
  const ids = again.sink.messages().map(([, id]) => Number(id.split('-')[1]));
  assert.deepEqual(
    ids.slice(1),
    [...ids.slice(1)].sort((a, b) => a - b),
    'in order',
  );
});

void test('what cannot be replayed is a reset with the id to go on from', (t) => {
  const { events, open, queued, hub } = setup(t, { ringEntries: 2, maxQueuedBytes: 2_000 });
  const s = open(ADMIN);
  const epochId = s.sink.messages()[0]![1];
  const epoch = epochId.split('-')[0]!;
  for (let i = 0; i < 4; i++) events.publish(queued('alpha', `a${i}`));
  const head = `${epoch}-4`;
  const reset = (lastEventId: string) => open(ADMIN, { lastEventId }).sink.messages()[0];
  assert.deepEqual(reset(`${epoch}-1`), ['reset', head, { reason: 'too-old' }]);
  assert.deepEqual(reset('other-1'), ['reset', head, { reason: 'restarted' }]);
  assert.deepEqual(reset(`${epoch}-99`), ['reset', head, { reason: 'unknown' }]);
  assert.deepEqual(reset(`${epoch}-2`)?.[0], 'ready');
  // More to replay than the stream would queue: a reset too (the view reloads instead).
  for (let i = 0; i < 2; i++) events.publish({ ...queued('alpha', `big${i}`), tags: ['x'.repeat(900)] } as DomainEvent);
  assert.deepEqual(reset(`${epoch}-4`), ['reset', `${epoch}-6`, { reason: 'too-many' }]);
  assert.ok(hub.open >= 5);
});

void test('a client that falls behind gets reset and is closed; the others go on', (t) => {
  const { events, open, queued, hub } = setup(t, { maxQueuedBytes: 4_000 });
  const slow = open(ADMIN);
  const fast = open(ADMIN);
  slow.sink.stuck = true;
  for (let i = 0; i < 50; i++) events.publish(queued('alpha', `a${i}`));
  assert.ok(slow.sink.ended, 'the slow stream was closed');
  const last = slow.sink.messages().at(-1)!;
  assert.deepEqual([last[0], last[2]], ['reset', { reason: 'too-slow' }]);
  assert.ok(slow.sink.writableLength <= 4_000 + 200, `bounded: ${slow.sink.writableLength}`);
  assert.equal(fast.sink.events().length, 50);
  assert.equal(hub.open, 1);
});

void test('access.changed: the stream re-proves its principal; regranted it is refiltered, revoked it ends', async (t) => {
  const { events, open, queued } = setup(t);
  let now: Principal = viewerOf('alpha');
  let asked = 0;
  const s = open(viewerOf('alpha'), {
    reidentify: async () => {
      asked++;
      return now;
    },
  });
  const other = open(ADMIN, { reidentify: async () => ({ kind: 'anonymous' }) });
  const change = (entity: 'token' | 'user' | 'session', id: string) =>
    events.publish({ type: 'access.changed', entity, id, name: 'n', change: 'granted', userId: null, summary: {} });
  change('token', 'tok_other');
  change('session', 'ses_1');
  await tick();
  await tick();
  assert.equal(asked, 0, 'a change of someone else asks nothing');
  now = viewerOf('alpha', 'bravo');
  change('user', 'u1'); // the token's owner
  await tick();
  await tick();
  assert.equal(asked, 1);
  events.publish(queued('bravo', 'b1'));
  assert.deepEqual(s.sink.events(), ['job.queued b1'], 'bravo is visible once granted');
  now = { kind: 'anonymous' };
  change('token', 'tok_1');
  await tick();
  await tick();
  assert.ok(s.sink.ended);
  const last = s.sink.messages().at(-1)!;
  assert.deepEqual([last[0], last[2]], ['end', { reason: 'access-gone' }]);
  assert.equal(other.sink.ended, false, 'the admin token is not concerned');
});

void test('the cap: full at maxStreams, room again when one closes; closeAll ends every stream', (t) => {
  const { open, hub } = setup(t, { maxStreams: 2 });
  const a = open(ADMIN);
  assert.equal(hub.full, false);
  const b = open(ADMIN);
  assert.equal(hub.full, true);
  a.conn.close();
  assert.equal(hub.full, false);
  hub.closeAll();
  assert.ok(b.sink.ended);
  assert.equal(hub.open, 0);
});

void test('audit entries reach admins only: live, on a resume, and as access changes', async (t) => {
  const { events, open } = setup(t);
  const readerOfAll: Principal = {
    kind: 'token',
    tokenId: 'tok_2',
    name: 'r',
    ownerId: 'u2',
    grants: [{ role: 'maintainer', projects: '*' }],
  };
  const adminUser: Principal = { ...readerOfAll, tokenId: 'tok_3', grants: [{ role: 'admin', projects: '*' }] };
  let current = readerOfAll;
  const admin = open(ADMIN);
  const granted = open(adminUser);
  const reader = open(readerOfAll, { reidentify: async () => current });
  const alpha = open(viewerOf('alpha'));
  const entry = (id: number) => ({
    action: 'token.create',
    id,
    target: 'ci',
    at: 1_000,
    summary: { role: 'viewer' },
    actor: { kind: 'user', id: 'u1', name: 'ann' },
    address: '127.0.0.1',
    project: null,
  });
  events.publish({ type: 'audit.appended', entry: entry(1) });
  events.publish({ type: 'node.online', nodeId: 'n1', kind: 'permanent' });
  const audits = (s: Sink) => s.messages().filter(([e]) => e === 'audit.appended');
  assert.equal(audits(admin.sink).length, 1);
  assert.deepEqual((LiveEvent.parse(audits(granted.sink)[0]![2]) as { entry: unknown }).entry, entry(1));
  assert.equal(audits(reader.sink).length, 0, 'a maintainer of every project is no admin');
  assert.deepEqual(reader.sink.events(), ['node.online n1'], 'but sees the node events');
  assert.equal(audits(alpha.sink).length, 0);
  // Replayed to nobody who may not see it.
  const resumed = open(readerOfAll, { lastEventId: reader.sink.messages()[0]![1] });
  assert.equal(audits(resumed.sink).length, 0);
  assert.equal(audits(open(ADMIN, { lastEventId: admin.sink.messages()[0]![1] }).sink).length, 1);
  // Made an admin: the next entries reach the stream.
  current = { ...readerOfAll, grants: [{ role: 'admin', projects: '*' }] };
  events.publish({
    type: 'access.changed',
    entity: 'token',
    id: 'tok_2',
    name: 'r',
    change: 'granted',
    userId: 'u2',
    summary: {},
  });
  await tick();
  await tick();
  assert.equal(reader.conn.filter.admin, true);
  events.publish({ type: 'audit.appended', entry: entry(2) });
  assert.equal(audits(reader.sink).length, 1);
});

void test('node.host: telemetry, to readers of every project open now, one per node per interval, no ring', (t) => {
  const { events, open } = setup(t, { hostIntervalMs: 60_000, maxHostPerSecond: 2 });
  const sample = (at: number) => ({
    ...{ at, cpuPercent: 10, cpus: 2, load1: 0.5, load5: 0.4, load15: 0.3 },
    ...{ memUsedBytes: 1, memTotalBytes: 2, diskUsedBytes: 1, diskTotalBytes: 2 },
    ...{ netRxBytesPerSec: 0, netTxBytesPerSec: 0 },
  });
  // No stream open: nothing is kept for a later one.
  events.publish({ type: 'node.host', nodeId: 'n0', sample: sample(0) });
  const admin = open(ADMIN);
  const alpha = open(viewerOf('alpha'));
  events.publish({ type: 'node.host', nodeId: 'n1', sample: sample(1) });
  events.publish({ type: 'node.host', nodeId: 'n1', sample: sample(2) });
  events.publish({ type: 'node.host', nodeId: 'n2', sample: sample(3) });
  // The second's budget (2) is spent: a third node waits for the next second.
  events.publish({ type: 'node.host', nodeId: 'n3', sample: sample(4) });
  const frames = admin.sink.text.split('\n\n').filter((b) => b.startsWith('event: node.host'));
  assert.deepEqual(
    frames.map((b) => (JSON.parse(b.split('\n')[1]!.slice('data: '.length)) as { nodeId: string }).nodeId),
    ['n1', 'n2'],
  );
  assert.equal(LiveEvent.parse(JSON.parse(frames[0]!.split('\n')[1]!.slice('data: '.length))).type, 'node.host');
  assert.equal(alpha.sink.text.includes('node.host'), false);
  // Never replayed: a resume from the ready id gets no host sample.
  const readyId = admin.sink.messages()[0]![1];
  const later = open(ADMIN, { lastEventId: readyId });
  assert.equal(later.sink.text.includes('node.host'), false);
});
