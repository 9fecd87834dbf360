import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AgentToMaster } from './ws/agent-to-master.js';
import { MasterToAgent } from './ws/master-to-agent.js';
import { encodeEnvelope, parseEnvelope, ProtocolError } from './ws/envelope.js';
import { validateMessage } from './ws/catalog.js';
import { isSafePathComponent, sanitizeVersion } from './primitives.js';

const runId = 'ab'.repeat(16);
const spec = {
  runId,
  jobId: 'job-1',
  project: 'demo',
  spider: 'quick',
  version: '1_0',
  eggDigest: 'c'.repeat(64),
  eggSize: 1,
  settingsModule: null,
  requirements: ['requests>=2'],
  settings: [['A', 'b=c']],
  args: [['_job', 'job-1']],
  log: true,
  items: false,
  feedUri: null,
  pinnedVersion: null,
};

/** One valid and one invalid sample per catalog entry: a new message without samples fails this test. */
const samples: Record<string, [unknown, unknown]> = {
  identify: [
    { nodeId: 'n1', protocolVersion: 3, temporary: false, nonce: 'e'.repeat(64) },
    { nodeId: 'n1', protocolVersion: 3, nonce: 'e'.repeat(32) },
  ],
  hello: [
    {
      agentVersion: '0.1.0',
      timestamp: 1,
      mac: 'a'.repeat(64),
      hostname: 'h',
      slots: 2,
      tags: ['eu'],
      running: [{ runId, pid: 3, startedAt: 4 }],
      known: [runId],
    },
    {
      agentVersion: '0',
      timestamp: 1,
      mac: 'zz',
      hostname: 'h',
      slots: 0,
      tags: [],
      running: [],
      known: [],
    },
  ],
  heartbeat: [
    {
      running: 1,
      at: 5,
      host: {
        at: 5,
        cpuPercent: 12.5,
        cpus: 2,
        load1: 0.5,
        load5: 0.4,
        load15: 0.3,
        memUsedBytes: 1e9,
        memTotalBytes: 2e9,
        diskUsedBytes: 1e10,
        diskTotalBytes: 2e10,
        netRxBytesPerSec: 100,
        netTxBytesPerSec: 50,
      },
      jobs: [{ runId, cpuPercent: 30, rssBytes: 5e7 }],
    },
    { running: 0, at: 5, host: { at: 5, cpuPercent: 150 } },
  ],
  'job.events': [
    {
      events: [
        { seq: 1, event: { kind: 'started', runId, pid: 10, startedAt: 1 } },
        {
          seq: 2,
          event: {
            kind: 'finished',
            runId,
            startedAt: 1,
            endedAt: 2,
            exitCode: 0,
            signal: null,
            outcome: 'succeeded',
            reason: null,
            logBytes: 10,
            itemsBytes: 0,
          },
        },
      ],
    },
    { events: [{ seq: 1, event: { kind: 'exploded', runId } }] },
  ],
  'job.stats': [
    {
      runId,
      at: 5,
      final: false,
      source: 'live',
      stats: { item_scraped_count: 3, finish_reason: null },
      exceptions: { total: 0, byType: {}, first: [], last: [] },
    },
    {
      runId,
      at: 5,
      final: false,
      source: 'socket',
      stats: {},
      exceptions: { total: 0, byType: {}, first: [], last: [] },
    },
  ],
  'log.chunk': [
    { runId, stream: 'log', offset: 0, data: 'aGk=' },
    { runId, stream: 'stdout', offset: 0, data: '' },
  ],
  challenge: [
    { nonce: 'f'.repeat(64), protocolVersion: 1, serverTime: 1 },
    { nonce: 'short', protocolVersion: 1, serverTime: 1 },
  ],
  'master.proof': [{ proofs: ['a'.repeat(64), 'b'.repeat(64)] }, { proofs: ['a'.repeat(64)] }],
  welcome: [
    {
      nodeId: 'n1',
      sessionToken: 't'.repeat(64),
      heartbeatIntervalMs: 5000,
      resume: [{ runId, stream: 'items', offset: 7 }],
      cancel: [{ runId, signal: 'SIGINT' }],
    },
    { nodeId: 'n1', sessionToken: 'short', heartbeatIntervalMs: 5000, resume: [], cancel: [] },
  ],
  rejected: [
    { code: 'BAD_CREDENTIALS', message: 'no' },
    { code: 'WHATEVER', message: 'no' },
  ],
  'job.assign': [{ job: spec }, { job: { ...spec, project: '../etc' } }],
  'job.cancel': [
    { runId, signal: 9 },
    { runId, signal: 'kill -9' },
  ],
  'events.ack': [{ upToSeq: 3 }, { upToSeq: -3 }],
  'log.ack': [
    { runId, stream: 'log', offset: 3 },
    { runId: 'x', stream: 'log', offset: 3 },
  ],
  'eggs.live': [{ digests: ['c'.repeat(64)] }, { digests: ['not-a-digest'] }],
  prewarm: [
    { project: 'demo', version: '1_0', eggDigest: 'c'.repeat(64), eggSize: 1, requirements: [] },
    { project: '..', version: '1_0', eggDigest: 'c'.repeat(64), eggSize: 1, requirements: [] },
  ],
  'credential.rotate': [{ secret: 'a'.repeat(64) }, { secret: 'short' }],
  'spiders.list': [
    { project: 'demo', version: '1_0', eggDigest: 'c'.repeat(64), eggSize: 1, settingsModule: null, requirements: [] },
    { project: 'demo', version: '1.0', eggDigest: 'c'.repeat(64), eggSize: 1, settingsModule: null, requirements: [] },
  ],
};

void test('every catalog entry accepts a valid sample (round trip) and rejects an invalid one', () => {
  for (const catalog of [AgentToMaster, MasterToAgent]) {
    for (const type of Object.keys(catalog)) {
      const pair = samples[type];
      assert.ok(pair, `no samples for message type ${type}`);
      const [good, bad] = pair;
      const parsed = validateMessage(catalog, type as never, good);
      const wire = parseEnvelope(encodeEnvelope({ type, payload: parsed }));
      assert.deepEqual(validateMessage(catalog, type as never, wire.payload), parsed, type);
      assert.throws(() => validateMessage(catalog, type as never, bad), `${type} must reject its invalid sample`);
    }
  }
});

void test('envelopes: garbage frames are protocol errors', () => {
  assert.throws(() => parseEnvelope('not json'), ProtocolError);
  assert.throws(() => parseEnvelope('{"payload":1}'), ProtocolError);
  assert.deepEqual(parseEnvelope('{"type":"x","id":1,"payload":null}'), { type: 'x', id: 1, payload: null });
});

void test('names that become paths refuse traversal, separators, control characters and option-like values', () => {
  for (const bad of ['', '.', '..', 'a/b', 'a\\b', 'a\u0000b', 'a\nb', '-rf', 'x'.repeat(201)]) {
    assert.equal(isSafePathComponent(bad), false, JSON.stringify(bad));
  }
  for (const good of ['demo', 'my.project', 'spider-1', 'ünïcode', 'a..b']) {
    assert.equal(isSafePathComponent(good), true, good);
  }
  assert.equal(sanitizeVersion('1.0+local/x'), '1_0_local_x');
});
