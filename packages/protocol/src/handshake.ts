/**
 * Node authentication, shared by both sides. The scheme is SCRAM's (RFC 5802) core, over HMAC-SHA256:
 *
 *   clientKey = HMAC(secret, "scrapyard client key")      (the agent derives it from its secret)
 *   storedKey = SHA256(clientKey)                          (all the master keeps)
 *   signature = HMAC(storedKey, handshakeMacInput(...))
 *   proof     = clientKey XOR signature                    (what the agent sends, as `mac`)
 *
 * The master recomputes `signature`, recovers `clientKey = proof XOR signature` and checks that its hash is the
 * stored key, in constant time. So the master stores only a hash of each secret, a stolen master database is not
 * enough to log in as a node, and the proof binds the server's per-connection nonce and the agent's timestamp:
 * a captured handshake is useless on any other connection or later.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** The string both sides authenticate: binds the server nonce, the node id and the agent's timestamp. */
export function handshakeMacInput(nonce: string, nodeId: string, timestamp: number): string {
  return `scrapyard-handshake.${nonce}.${nodeId}.${timestamp}`;
}

export function clientKeyOf(secret: Buffer): Buffer {
  return createHmac('sha256', secret).update('scrapyard client key').digest();
}

/** What the master stores for a node secret (hex). */
export function storedKeyOf(secret: Buffer): string {
  return createHash('sha256').update(clientKeyOf(secret)).digest('hex');
}

function xor(a: Buffer, b: Buffer): Buffer {
  const out = Buffer.alloc(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! ^ b[i]!;
  return out;
}

/** The agent's answer to a challenge (hex, 64 chars). */
export function handshakeProof(secret: Buffer, nonce: string, nodeId: string, timestamp: number): string {
  const clientKey = clientKeyOf(secret);
  const storedKey = createHash('sha256').update(clientKey).digest();
  const signature = createHmac('sha256', storedKey)
    .update(handshakeMacInput(nonce, nodeId, timestamp))
    .digest();
  return xor(clientKey, signature).toString('hex');
}

/** The master's check of a proof against a stored key (both hex). Constant-time in the proof. */
export function verifyHandshakeProof(
  storedKeyHex: string,
  proofHex: string,
  nonce: string,
  nodeId: string,
  timestamp: number,
): boolean {
  if (!/^[0-9a-f]{64}$/.test(proofHex) || !/^[0-9a-f]{64}$/.test(storedKeyHex)) return false;
  const storedKey = Buffer.from(storedKeyHex, 'hex');
  const signature = createHmac('sha256', storedKey)
    .update(handshakeMacInput(nonce, nodeId, timestamp))
    .digest();
  const clientKey = xor(Buffer.from(proofHex, 'hex'), signature);
  return timingSafeEqual(createHash('sha256').update(clientKey).digest(), storedKey);
}
