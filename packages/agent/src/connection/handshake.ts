/**
 * The agent's side of the mutual handshake, one instance per socket: challenge → identify (node id and a fresh
 * nonce only) → master.proof, checked against our own key before anything else leaves this machine → hello (our
 * proof, the runs we hold, the node's description) → welcome. Any frame out of that order, or a master that
 * can't prove it holds this node's key, ends the attempt: an impostor never learns a proof, a run id or a tag,
 * and never gets to hand out a job.
 */
import { randomBytes } from 'node:crypto';
import {
  PROTOCOL_VERSION,
  handshakeProof,
  verifyServerProof,
  type Challenge,
  type ErrorCode,
  type Identify,
  type MasterProof,
  type MessageInputOf,
  type AgentToMaster,
} from '@scrapyard/protocol';

export type HelloBody = Omit<MessageInputOf<AgentToMaster, 'hello'>, 'timestamp' | 'mac'>;

/** What the handshake expects next. */
export type HandshakePhase = 'challenge' | 'proof' | 'welcome' | 'done' | 'failed';

export interface HandshakeFailure {
  code: ErrorCode;
  message: string;
}

export class AgentHandshake {
  #phase: HandshakePhase = 'challenge';
  #serverNonce = '';
  readonly #clientNonce = randomBytes(32).toString('hex');

  constructor(private readonly o: { nodeId: string; nodeKey: Buffer; temporary: boolean; now?: () => number }) {}

  get phase(): HandshakePhase {
    return this.#phase;
  }

  /** The challenge arrived: answer with who we are and our nonce (nothing a stranger could use). */
  onChallenge(c: Challenge): Identify {
    this.#expect('challenge');
    this.#serverNonce = c.nonce;
    this.#phase = 'proof';
    return {
      nodeId: this.o.nodeId,
      protocolVersion: PROTOCOL_VERSION,
      temporary: this.o.temporary,
      nonce: this.#clientNonce,
    };
  }

  /** The master's proof: our hello when it holds our key, a failure (and nothing to send) otherwise. */
  onProof(p: MasterProof, body: () => HelloBody): MessageInputOf<AgentToMaster, 'hello'> | HandshakeFailure {
    this.#expect('proof');
    if (!verifyServerProof(this.o.nodeKey, p.proofs, this.#serverNonce, this.#clientNonce, this.o.nodeId)) {
      this.#phase = 'failed';
      const why = this.o.temporary
        ? 'the temporary-node secret differs from the master’s'
        : 'this node was re-registered on the master';
      return {
        code: 'MASTER_AUTH_FAILED',
        message: `the master could not prove it holds this node's key: refusing it (wrong masterUrl, an impostor, or ${why})`,
      };
    }
    this.#phase = 'welcome';
    const timestamp = (this.o.now ?? Date.now)();
    const mac = handshakeProof(this.o.nodeKey, this.#serverNonce, this.#clientNonce, this.o.nodeId, timestamp);
    return { ...body(), timestamp, mac };
  }

  onWelcome(): void {
    this.#expect('welcome');
    this.#phase = 'done';
  }

  /** Anything else, or a step out of order, fails the handshake. */
  outOfOrder(type: string): HandshakeFailure {
    const expected = this.#phase;
    this.#phase = 'failed';
    return { code: 'PROTOCOL_ERROR', message: `master sent ${type} while the handshake expected ${expected}` };
  }

  #expect(phase: HandshakePhase): void {
    if (this.#phase !== phase) throw new Error(`handshake step out of order: expected ${this.#phase}`);
  }
}
