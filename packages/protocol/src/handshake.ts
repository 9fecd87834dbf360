/**
 * Mutual node authentication, shared by both sides. The scheme is SCRAM's (RFC 5802) core, over HMAC-SHA256:
 *
 *   clientKey = HMAC(secret, "scrapyard client key")      (the agent derives it from its secret)
 *   storedKey = SHA256(clientKey)                          (all the master keeps)
 *
 * The master proves itself first: serverProof = HMAC(storedKey, serverProofInput(serverNonce, clientNonce,
 * nodeId)). Only a holder of the stored key can make it, and the agent, which can derive the stored key from its
 * secret, checks it before it says anything else (a master that can't prove it holds the node's key gets no proof,
 * no run list and no chance to hand out jobs). Then the agent proves the secret itself:
 *
 *   signature = HMAC(storedKey, handshakeMacInput(serverNonce, clientNonce, nodeId, timestamp))
 *   proof     = clientKey XOR signature                    (what the agent sends, as `mac`)
 *
 * The master recomputes `signature`, recovers `clientKey = proof XOR signature` and checks that its hash is the
 * stored key, in constant time. So the master stores only a hash of each secret, a stolen master database is not
 * enough to log in as a node, and both proofs bind both sides' fresh nonces: a captured handshake is useless on
 * any other connection, in either direction.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const HEX64 = /^[0-9a-f]{64}$/;

/** The string the agent authenticates: binds both nonces, the node id and the agent's timestamp. */
export function handshakeMacInput(serverNonce: string, clientNonce: string, nodeId: string, timestamp: number): string {
  return `scrapyard-handshake.${serverNonce}.${clientNonce}.${nodeId}.${timestamp}`;
}

/** The string the master authenticates (a different prefix, so neither proof can stand in for the other). */
export function serverProofInput(serverNonce: string, clientNonce: string, nodeId: string): string {
  return `scrapyard-server.${serverNonce}.${clientNonce}.${nodeId}`;
}

export function clientKeyOf(secret: Buffer): Buffer {
  return createHmac('sha256', secret).update('scrapyard client key').digest();
}

function storedKeyBytes(secret: Buffer): Buffer {
  return createHash('sha256').update(clientKeyOf(secret)).digest();
}

/** What the master stores for a node secret (hex). */
export function storedKeyOf(secret: Buffer): string {
  return storedKeyBytes(secret).toString('hex');
}

function xor(a: Buffer, b: Buffer): Buffer {
  const out = Buffer.alloc(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! ^ b[i]!;
  return out;
}

/** The agent's answer to a challenge (hex, 64 chars). */
export function handshakeProof(
  secret: Buffer,
  serverNonce: string,
  clientNonce: string,
  nodeId: string,
  timestamp: number,
): string {
  const clientKey = clientKeyOf(secret);
  const signature = createHmac('sha256', storedKeyBytes(secret))
    .update(handshakeMacInput(serverNonce, clientNonce, nodeId, timestamp))
    .digest();
  return xor(clientKey, signature).toString('hex');
}

/** The master's check of an agent's proof against a stored key (both hex). Constant-time in the proof. */
export function verifyHandshakeProof(
  storedKeyHex: string,
  proofHex: string,
  serverNonce: string,
  clientNonce: string,
  nodeId: string,
  timestamp: number,
): boolean {
  if (!HEX64.test(proofHex) || !HEX64.test(storedKeyHex)) return false;
  const storedKey = Buffer.from(storedKeyHex, 'hex');
  const signature = createHmac('sha256', storedKey)
    .update(handshakeMacInput(serverNonce, clientNonce, nodeId, timestamp))
    .digest();
  const clientKey = xor(Buffer.from(proofHex, 'hex'), signature);
  return timingSafeEqual(createHash('sha256').update(clientKey).digest(), storedKey);
}

/** The master's proof that it holds the node's stored key (hex). */
export function serverProof(storedKeyHex: string, serverNonce: string, clientNonce: string, nodeId: string): string {
  return createHmac('sha256', Buffer.from(storedKeyHex, 'hex'))
    .update(serverProofInput(serverNonce, clientNonce, nodeId))
    .digest('hex');
}

/**
 * A proof for a node the master can't prove anything for (unknown id): the same HMAC work over a random key, so
 * neither the answer nor its timing tells which node ids exist.
 */
export function decoyServerProof(serverNonce: string, clientNonce: string, nodeId: string): string {
  return serverProof(randomBytes(32).toString('hex'), serverNonce, clientNonce, nodeId);
}

/** The agent's check of the master's proofs: true when one of them was made with its own secret's stored key. */
export function verifyServerProof(
  secret: Buffer,
  proofsHex: readonly string[],
  serverNonce: string,
  clientNonce: string,
  nodeId: string,
): boolean {
  const expected = Buffer.from(serverProof(storedKeyOf(secret), serverNonce, clientNonce, nodeId), 'hex');
  let ok = false;
  // Every proof is compared (no early exit), each in constant time.
  for (const p of proofsHex) {
    const candidate = HEX64.test(p) ? Buffer.from(p, 'hex') : Buffer.alloc(32);
    ok = timingSafeEqual(candidate, expected) || ok;
  }
  return ok;
}
