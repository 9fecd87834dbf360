/**
 * Checks an agent's hello against the challenge we sent: protocol version, clock skew (so an old handshake
 * can't be replayed later) and the proof of the node secret (so only its holder gets in). The nonce is fresh per
 * connection, so a captured handshake is useless on any other connection.
 */
import { HANDSHAKE_MAX_SKEW_MS, PROTOCOL_VERSION, type Hello, type NodeKind } from '@scrapyard/protocol';
import type { NodeAuthenticator } from '../registry/node-auth.js';

export type HandshakeVerdict =
  { ok: true; kind: NodeKind; rotated: boolean } | { ok: false; code: string; message: string };

export function checkHello(hello: Hello, nonce: string, now: number, auth: NodeAuthenticator): HandshakeVerdict {
  if (hello.protocolVersion !== PROTOCOL_VERSION) {
    return {
      ok: false,
      code: 'PROTOCOL_VERSION',
      message: `agent speaks protocol ${hello.protocolVersion}, master speaks ${PROTOCOL_VERSION}: upgrade the older side`,
    };
  }
  if (Math.abs(now - hello.timestamp) > HANDSHAKE_MAX_SKEW_MS) {
    return {
      ok: false,
      code: 'CLOCK_SKEW',
      message: 'handshake timestamp too far from the master clock: sync clocks (NTP)',
    };
  }
  return auth.verify({
    nodeId: hello.nodeId,
    nonce,
    timestamp: hello.timestamp,
    mac: hello.mac,
    temporary: hello.temporary,
  });
}
