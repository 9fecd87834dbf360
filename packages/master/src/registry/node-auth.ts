/**
 * Who may connect: registered (permanent) nodes by their stored keys, the embedded agent by a key made at each
 * start, and, only when the admin turns them on, temporary nodes by a shared secret. Stored keys are cached in
 * memory (the handshake must not wait on the database) and kept in step with every change made through here.
 */
import { storedKeyOf, verifyHandshakeProof } from '@scrapyard/protocol';
import type { NodeKind } from '@scrapyard/protocol';

export interface ProofInput {
  nodeId: string;
  nonce: string;
  timestamp: number;
  mac: string;
  temporary: boolean;
}

export type AuthVerdict =
  | { ok: true; kind: NodeKind; /** the proof used the rotated secret: make it the only one */ rotated: boolean }
  | { ok: false; code: 'BAD_CREDENTIALS' | 'NODE_REVOKED' | 'TEMPORARY_NODES_OFF'; message: string };

export interface NodeAuthenticator {
  verify(p: ProofInput): AuthVerdict;
}

interface Cred {
  storedKey: string;
  pendingStoredKey: string | null;
  revoked: boolean;
}

export class NodeCredentials implements NodeAuthenticator {
  readonly #permanent = new Map<string, Cred>();
  readonly #embedded = new Map<string, string>();
  readonly #temporaryKey: string | null;

  constructor(temporarySecret: string | null) {
    this.#temporaryKey = temporarySecret ? storedKeyOf(Buffer.from(temporarySecret, 'utf8')) : null;
  }

  setPermanent(nodeId: string, storedKey: string, pendingStoredKey: string | null, revoked: boolean): void {
    this.#permanent.set(nodeId, { storedKey, pendingStoredKey, revoked });
  }

  /** The embedded agent's key (never persisted; a new one at every start). */
  setEmbedded(nodeId: string, secret: Buffer): void {
    this.#embedded.set(nodeId, storedKeyOf(secret));
  }

  isPermanent(nodeId: string): boolean {
    return this.#permanent.has(nodeId);
  }

  isEmbedded(nodeId: string): boolean {
    return this.#embedded.has(nodeId);
  }

  verify(p: ProofInput): AuthVerdict {
    const check = (stored: string) => verifyHandshakeProof(stored, p.mac, p.nonce, p.nodeId, p.timestamp);
    const bad = {
      ok: false,
      code: 'BAD_CREDENTIALS',
      message: `node ${p.nodeId}: unknown node or wrong secret`,
    } as const;
    if (p.temporary) {
      if (!this.#temporaryKey) {
        return {
          ok: false,
          code: 'TEMPORARY_NODES_OFF',
          message: 'this master does not accept temporary nodes: register the agent (scrapyard-agent register)',
        };
      }
      // A temporary node must not take the identity of a registered or embedded one.
      if (this.#permanent.has(p.nodeId) || this.#embedded.has(p.nodeId)) {
        return { ok: false, code: 'BAD_CREDENTIALS', message: `node id ${p.nodeId} belongs to a registered node` };
      }
      return check(this.#temporaryKey) ? { ok: true, kind: 'temporary', rotated: false } : bad;
    }
    const embedded = this.#embedded.get(p.nodeId);
    if (embedded) return check(embedded) ? { ok: true, kind: 'embedded', rotated: false } : bad;
    const cred = this.#permanent.get(p.nodeId);
    if (!cred) {
      // Same work as a known node, so timing doesn't tell which node ids exist.
      check('0'.repeat(64));
      return bad;
    }
    const current = check(cred.storedKey);
    const rotated = !current && cred.pendingStoredKey !== null && check(cred.pendingStoredKey);
    if (!current && !rotated) return bad;
    if (cred.revoked) return { ok: false, code: 'NODE_REVOKED', message: `node ${p.nodeId} has been revoked` };
    return { ok: true, kind: 'permanent', rotated };
  }
}
