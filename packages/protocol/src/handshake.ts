/**
 * The string both sides feed to HMAC-SHA256 during the handshake. Binding the server nonce, the node id and the
 * agent's timestamp means a captured handshake is useless on another connection (new nonce) or later (skew check).
 */
export function handshakeMacInput(nonce: string, nodeId: string, timestamp: number): string {
  return `scrapyard-handshake.${nonce}.${nodeId}.${timestamp}`;
}
