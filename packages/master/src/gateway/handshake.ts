/**
 * The checks of the two handshake steps, pure so they are easy to reason about:
 * - `identify`: protocol version, then the master's proofs for the claimed identity (the agent checks those);
 * - `hello`: clock skew (so an old handshake can't be replayed later) and the proof of the node secret over both
 *   nonces (so only its holder gets in). Both nonces are fresh per connection, so a captured handshake is useless
 *   on any other connection.
 * And how a refused or abandoned hello is said.
 */
import type { Logger } from 'pino';
import {
  HANDSHAKE_MAX_SKEW_MS,
  HELLO_MAX_RUNS,
  PROTOCOL_VERSION,
  type ErrorCode,
  type Hello,
  type Identify,
  type NodeKind,
} from '@scrapyard/protocol';
import type { NodeAuthenticator } from '../auth/node-auth.js';
import type { AgentSession } from '../registry/agent-session.js';

export interface Refusal {
  ok: false;
  code: ErrorCode;
  message: string;
}

export type IdentifyVerdict = { ok: true; proofs: [string, string] } | Refusal;

export type HandshakeVerdict = { ok: true; kind: NodeKind; rotated: boolean } | Refusal;

export function versionMismatch(agentVersion: number): Refusal {
  return {
    ok: false,
    code: 'PROTOCOL_VERSION',
    message: `agent speaks protocol ${agentVersion}, master speaks ${PROTOCOL_VERSION}: upgrade the older side`,
  };
}

export function checkIdentify(id: Identify, serverNonce: string, auth: NodeAuthenticator): IdentifyVerdict {
  if (id.protocolVersion !== PROTOCOL_VERSION) return versionMismatch(id.protocolVersion);
  return auth.proveTo({ nodeId: id.nodeId, temporary: id.temporary, serverNonce, clientNonce: id.nonce });
}

export function checkHello(
  id: Identify,
  hello: Hello,
  serverNonce: string,
  now: number,
  auth: NodeAuthenticator,
): HandshakeVerdict {
  if (Math.abs(now - hello.timestamp) > HANDSHAKE_MAX_SKEW_MS) {
    return {
      ok: false,
      code: 'CLOCK_SKEW',
      message: 'handshake timestamp too far from the master clock: sync clocks (NTP)',
    };
  }
  return auth.verify({
    nodeId: id.nodeId,
    serverNonce,
    clientNonce: id.nonce,
    timestamp: hello.timestamp,
    mac: hello.mac,
    temporary: id.temporary,
  });
}

/** Why a hello was refused: its run lists past the bound say so plainly (an agent can act on that). */
export function helloProblem(payload: unknown): string {
  const p = (payload ?? {}) as { running?: unknown; known?: unknown };
  for (const field of ['running', 'known'] as const) {
    const list = p[field];
    if (Array.isArray(list) && list.length > HELLO_MAX_RUNS) {
      return `malformed hello: it lists ${list.length} ${field} runs; at most ${HELLO_MAX_RUNS} are accepted`;
    }
  }
  return 'malformed hello';
}

/** The agent's connection closed before its hello was reconciled at all: said like a stop mid-way (agent-events). */
export function abandonedBeforeReconciling(log: Logger, s: AgentSession, hello: Hello): void {
  const runs = new Set([...hello.known, ...hello.running.map((r) => r.runId)]).size;
  log.info(
    { nodeId: s.nodeId, reconciled: 0, runs },
    'agent hello: the connection closed during reconciliation; stopped',
  );
}
