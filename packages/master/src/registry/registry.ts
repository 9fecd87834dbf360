/** The agents online now, by node id. A new session for a node replaces (and closes) the old one. */
import { EventEmitter } from 'node:events';
import type { AgentSession } from './agent-session.js';

export class AgentRegistry extends EventEmitter<{ online: [AgentSession]; offline: [AgentSession] }> {
  readonly #sessions = new Map<string, AgentSession>();

  add(session: AgentSession): void {
    const old = this.#sessions.get(session.nodeId);
    this.#sessions.set(session.nodeId, session);
    if (old && old !== session) old.close(4000, 'replaced by a newer connection');
    this.emit('online', session);
  }

  remove(session: AgentSession): void {
    if (this.#sessions.get(session.nodeId) === session) {
      this.#sessions.delete(session.nodeId);
      this.emit('offline', session);
    }
  }

  get(nodeId: string): AgentSession | undefined {
    return this.#sessions.get(nodeId);
  }

  all(): AgentSession[] {
    return [...this.#sessions.values()];
  }

  /** Total slots across online agents (daemonstatus capacity). */
  capacity(): number {
    let n = 0;
    for (const s of this.#sessions.values()) n += s.slots;
    return n;
  }

  /** Placement: the agent with the most free slots (ties: fewest runs, then node id for determinism). */
  pickAgent(): AgentSession | undefined {
    let best: AgentSession | undefined;
    for (const s of this.#sessions.values()) {
      if (s.closed || s.freeSlots <= 0) continue;
      if (!best || s.freeSlots > best.freeSlots || (s.freeSlots === best.freeSlots && s.nodeId < best.nodeId)) best = s;
    }
    return best;
  }
}
