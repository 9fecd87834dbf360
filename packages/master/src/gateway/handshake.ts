/**
 * Checks an agent's hello against the challenge we sent: protocol version, clock skew (so an old handshake
 * can't be replayed later) and the MAC (so only a holder of the node key gets in). The nonce is fresh per
 * connection, so a captured handshake is useless on any other connection.
 */
import { HANDSHAKE_MAX_SKEW_MS, PROTOCOL_VERSION, type Hello } from '@scrapyard/protocol';
import type { NodeAuthenticator } from '../registry/node-auth.js';

export type HandshakeVerdict = { ok: true } | { ok: false; code: string; message: string };

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
  if (!auth.verify(hello.nodeId, nonce, hello.timestamp, hello.mac)) {
    return { ok: false, code: 'BAD_CREDENTIALS', message: `node ${hello.nodeId}: unknown node or wrong secret` };
  }
  return { ok: true };
}
