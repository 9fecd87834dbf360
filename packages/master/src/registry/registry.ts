/**
 * The agents online now, by node id, and which nodes are cordoned. A new session for a node replaces (and
 * closes) the old one. The one place nodes come online and go offline: it announces both as domain events.
 */
import type { DomainEvents } from '../events/domain-events.js';
import type { Candidate } from '../jobs/placement.js';
import { tokenDigest, type AgentSession } from './agent-session.js';

export interface AgentCandidate extends Candidate {
  session: AgentSession;
}

export class AgentRegistry {
  readonly #events: DomainEvents;
  readonly #sessions = new Map<string, AgentSession>();
  readonly #cordoned = new Set<string>();
  /** Sessions by SHA-256 of their token: a lookup by digest reveals nothing about the token (no timing leak). */
  readonly #byTokenDigest = new Map<string, AgentSession>();

  constructor(events: DomainEvents) {
    this.#events = events;
  }

  add(session: AgentSession): void {
    const old = this.#sessions.get(session.nodeId);
    this.#sessions.set(session.nodeId, session);
    this.#byTokenDigest.set(session.tokenDigest, session);
    if (old && old !== session) {
      this.#byTokenDigest.delete(old.tokenDigest);
      old.close(4000, 'replaced by a newer connection');
    }
    this.#events.publish({ type: 'node.online', nodeId: session.nodeId, kind: session.kind });
  }

  remove(session: AgentSession): void {
    if (this.#sessions.get(session.nodeId) === session) {
      this.#sessions.delete(session.nodeId);
      this.#byTokenDigest.delete(session.tokenDigest);
      this.#events.publish({
        type: 'node.offline',
        nodeId: session.nodeId,
        kind: session.kind,
        lastSeen: session.lastSeen,
      });
    }
  }

  get(nodeId: string): AgentSession | undefined {
    return this.#sessions.get(nodeId);
  }

  /** The online session holding a bearer token. */
  byToken(token: string): AgentSession | undefined {
    const s = this.#byTokenDigest.get(tokenDigest(token));
    return s && !s.closed ? s : undefined;
  }

  all(): AgentSession[] {
    return [...this.#sessions.values()];
  }

  setCordoned(nodeId: string, cordoned: boolean): void {
    if (cordoned) this.#cordoned.add(nodeId);
    else this.#cordoned.delete(nodeId);
  }

  isCordoned(nodeId: string): boolean {
    return this.#cordoned.has(nodeId);
  }

  /** Total slots across online agents (daemonstatus capacity). */
  capacity(): number {
    let n = 0;
    for (const s of this.#sessions.values()) n += s.slots;
    return n;
  }

  /** Free slots on open, non-cordoned agents (cheap: no allocation, called on every dispatch kick). */
  freeSlots(): number {
    let n = 0;
    for (const s of this.#sessions.values()) {
      if (!s.closed && !this.#cordoned.has(s.nodeId)) n += Math.max(0, s.freeSlots);
    }
    return n;
  }

  /** Snapshot of the open sessions for placement; freeSlots is mutable so a pass can count its own placements. */
  candidates(): AgentCandidate[] {
    const out: AgentCandidate[] = [];
    for (const s of this.#sessions.values()) {
      if (s.closed) continue;
      out.push({
        nodeId: s.nodeId,
        tags: s.tagSet,
        dedicated: s.dedicated,
        cordoned: this.#cordoned.has(s.nodeId),
        freeSlots: s.freeSlots,
        load: s.load,
        session: s,
      });
    }
    return out;
  }
}
