import assert from 'node:assert/strict';
import { test } from 'node:test';
import type WebSocket from 'ws';
import { AgentSession } from './agent-session.js';

function session(slots: number) {
  return new AgentSession({
    nodeId: 'n1',
    kind: 'permanent',
    slots,
    tags: [],
    dedicated: false,
    hostname: 'h',
    address: '127.0.0.1',
    agentVersion: 'test',
    socket: {} as WebSocket,
    sessionToken: 'token',
    now: 1_000,
  });
}

void test('runs placed on a session count against its slots until they end, each once', () => {
  const s = session(3);
  const idle = s.runs;
  assert.equal(idle.size, 0);
  assert.equal(s.freeSlots, 3);
  s.addRun('r1');
  s.addRun('r2');
  s.addRun('r2');
  assert.deepEqual([...s.runs], ['r1', 'r2']);
  assert.equal(s.freeSlots, 1);
  s.removeRun('r1');
  s.removeRun('unknown');
  assert.deepEqual([...s.runs], ['r2']);
  s.removeRun('r2');
  assert.equal(s.runs.size, 0);
  assert.equal(s.freeSlots, 3);
  // Idle sessions share one empty set (10,000 agents, most of them idle): nothing placed on `idle` leaked into it.
  assert.equal(session(1).runs, idle);
  assert.equal(idle.size, 0);
});
