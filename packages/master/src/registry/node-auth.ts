/**
 * Node credentials for the handshake. This issue knows one kind: keys registered in memory (the embedded agent
 * gets a fresh random key at every start). Enrolled permanent nodes plug in behind the same interface.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { handshakeMacInput } from '@scrapyard/protocol';

export interface NodeAuthenticator {
  /** True when `mac` is the node's HMAC over the handshake input. Constant-time in the MAC. */
  verify(nodeId: string, nonce: string, timestamp: number, mac: string): boolean;
}

export class InMemoryNodeKeys implements NodeAuthenticator {
  readonly #keys = new Map<string, Buffer>();

  set(nodeId: string, key: Buffer): void {
    this.#keys.set(nodeId, key);
  }

  verify(nodeId: string, nonce: string, timestamp: number, mac: string): boolean {
    const key = this.#keys.get(nodeId);
    if (!key || !/^[0-9a-f]{64}$/.test(mac)) return false;
    const expected = createHmac('sha256', key)
      .update(handshakeMacInput(nonce, nodeId, timestamp))
      .digest();
    return timingSafeEqual(expected, Buffer.from(mac, 'hex'));
  }
}
