/**
 * Who may connect: registered (permanent) nodes by their stored keys, the embedded agent by a key made at each
 * start, and, only when the admin turns them on, temporary nodes by a shared secret. Stored keys are cached in
 * memory (the handshake must not wait on the database) and kept in step with every change made through here.
 * The same keys make the master's own proof to the agent (the handshake is mutual, see protocol handshake.ts).
 */
import { decoyServerProof, serverProof, storedKeyOf, verifyHandshakeProof } from '@scrapyard/protocol';
import type { NodeKind } from '@scrapyard/protocol';

export interface ProofInput {
  nodeId: string;
  serverNonce: string;
  clientNonce: string;
  timestamp: number;
  mac: string;
  temporary: boolean;
}

export interface IdentityClaim {
  nodeId: string;
  temporary: boolean;
  serverNonce: string;
  clientNonce: string;
}

export type ServerProofs =
  { ok: true; proofs: [string, string] } | { ok: false; code: 'TEMPORARY_NODES_OFF'; message: string };

export type AuthVerdict =
  | { ok: true; kind: NodeKind; /** the proof used the rotated secret: make it the only one */ rotated: boolean }
  | { ok: false; code: 'BAD_CREDENTIALS' | 'NODE_REVOKED' | 'TEMPORARY_NODES_OFF'; message: string };

export interface NodeAuthenticator {
  /** The master's proofs for a claimed identity: made with every key it holds for it, decoys otherwise. */
  proveTo(c: IdentityClaim): ServerProofs;
  verify(p: ProofInput): AuthVerdict;
}

const TEMPORARY_OFF = {
  code: 'TEMPORARY_NODES_OFF',
  message: 'this master does not accept temporary nodes: register the agent (scrapyard-agent register)',
} as const;

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

  /** Loads a node as stored (start-up), or gives it a new credential (registration: a fresh, unrevoked node). */
  setPermanent(nodeId: string, storedKey: string, pendingStoredKey: string | null, revoked: boolean): void {
    this.#permanent.set(nodeId, { storedKey, pendingStoredKey, revoked });
  }

  /**
   * The updates below change one field each and never touch `revoked`, so a rotation or handshake that read the
   * node before a revoke and finishes after it can't bring the node back: a revoke is undone only by registering
   * the node again (setPermanent).
   */
  revoke(nodeId: string): void {
    const c = this.#permanent.get(nodeId);
    if (c) this.#permanent.set(nodeId, { ...c, pendingStoredKey: null, revoked: true });
  }

  /** A rotation started: both keys are valid until the agent confirms. Ignored for a revoked node. */
  setPending(nodeId: string, pendingStoredKey: string | null): void {
    const c = this.#permanent.get(nodeId);
    if (c && !c.revoked) this.#permanent.set(nodeId, { ...c, pendingStoredKey });
  }

  /** The agent holds the rotated secret: it becomes the only valid one (if that rotation is still the pending one). */
  promote(nodeId: string, pendingStoredKey: string): void {
    const c = this.#permanent.get(nodeId);
    if (c && !c.revoked && c.pendingStoredKey === pendingStoredKey) {
      this.#permanent.set(nodeId, { ...c, storedKey: pendingStoredKey, pendingStoredKey: null });
    }
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

  proveTo(c: IdentityClaim): ServerProofs {
    const prove = (stored: string | null | undefined) =>
      stored
        ? serverProof(stored, c.serverNonce, c.clientNonce, c.nodeId)
        : decoyServerProof(c.serverNonce, c.clientNonce, c.nodeId);
    if (c.temporary) {
      if (!this.#temporaryKey) return { ok: false, ...TEMPORARY_OFF };
      return { ok: true, proofs: [prove(this.#temporaryKey), prove(null)] };
    }
    const embedded = this.#embedded.get(c.nodeId);
    if (embedded) return { ok: true, proofs: [prove(embedded), prove(null)] };
    // Unknown nodes get two decoys: the same work and the same shape as a known node's answer.
    const cred = this.#permanent.get(c.nodeId);
    return { ok: true, proofs: [prove(cred?.storedKey), prove(cred?.pendingStoredKey)] };
  }

  verify(p: ProofInput): AuthVerdict {
    const check = (stored: string) =>
      verifyHandshakeProof(stored, p.mac, p.serverNonce, p.clientNonce, p.nodeId, p.timestamp);
    const bad = {
      ok: false,
      code: 'BAD_CREDENTIALS',
      message: `node ${p.nodeId}: unknown node or wrong secret`,
    } as const;
    if (p.temporary) {
      if (!this.#temporaryKey) return { ok: false, ...TEMPORARY_OFF };
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
