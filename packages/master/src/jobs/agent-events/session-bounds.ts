/**
 * What one agent session may do, with the state that enforces it: a node acts only on its own runs (refusals
 * logged once per node, run and kind of message, so a misbehaving node can't flood the log), sends heartbeats no
 * faster than any agent would, and has its clock trusted only near ours.
 */
import { HANDSHAKE_MAX_SKEW_MS, type Heartbeat } from '@scrapyard/protocol';
import type { Logger } from 'pino';
import type { JobRow } from '../../db/repos/jobs.js';
import type { AgentSession } from '../../registry/agent-session.js';

/** Heartbeats a node may send per second on average (it sends one every few seconds), and the burst allowed. */
export const HEARTBEATS_PER_SECOND = 1;
export const HEARTBEAT_BURST = 5;
/** Distinct refusals remembered per session; beyond it they are no longer logged. */
const REFUSALS_LOGGED_MAX = 10_000;

/** The parts of a session the bounds read: plain objects in unit tests. */
export type BoundedSession = Pick<AgentSession, 'nodeId' | 'runs' | 'slots'>;

interface Bucket {
  tokens: number;
  at: number;
}

export class SessionBounds {
  /** Refusals already logged, per session (gone with the session). */
  readonly #refused = new WeakMap<BoundedSession, Set<string>>();
  /** Heartbeat token bucket per session. */
  readonly #buckets = new WeakMap<BoundedSession, Bucket>();
  readonly #log: Pick<Logger, 'warn'>;
  readonly #now: () => number;

  constructor(o: { log: Pick<Logger, 'warn'>; now: () => number }) {
    this.#log = o.log;
    this.#now = o.now;
  }

  /** The run if it is this node's; otherwise undefined, and the refusal is logged (unknown runs are not). */
  ownRun(session: BoundedSession, row: JobRow | undefined, what: string): JobRow | undefined {
    if (!row || row.node_id === session.nodeId) return row;
    let seen = this.#refused.get(session);
    if (!seen) this.#refused.set(session, (seen = new Set()));
    const key = `${row.run_id} ${what}`;
    if (!seen.has(key) && seen.size < REFUSALS_LOGGED_MAX) {
      seen.add(key);
      this.#log.warn(
        { nodeId: session.nodeId, runId: row.run_id, ownerNodeId: row.node_id, what },
        'refused: a node named a run assigned to another node',
      );
    }
    return undefined;
  }

  /** False when the node sends heartbeats faster than any agent would. */
  heartbeatAllowed(session: BoundedSession): boolean {
    const now = this.#now();
    const b = this.#buckets.get(session) ?? { tokens: HEARTBEAT_BURST, at: now };
    b.tokens = Math.min(HEARTBEAT_BURST, b.tokens + ((now - b.at) / 1000) * HEARTBEATS_PER_SECOND);
    b.at = now;
    this.#buckets.set(session, b);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  /** A node's clock is trusted only near ours: far-off sample times are replaced by the time of receipt. */
  clamp(at: number): number {
    const now = this.#now();
    return Math.abs(at - now) > HANDSHAKE_MAX_SKEW_MS ? now : at;
  }

  /**
   * The heartbeat's metrics as the master keeps them: null when there are none or the node is over its rate;
   * sample times clamped, and job samples limited to the node's own runs and its slot count. Copies only what
   * must change (thousands of heartbeats a second: no garbage for the common case).
   */
  admitHeartbeat(session: BoundedSession, hb: Heartbeat): Heartbeat | null {
    if (!hb.host && !hb.jobs) return null;
    if (!this.heartbeatAllowed(session)) return null;
    const at = this.clamp(hb.at);
    const host =
      hb.host && this.clamp(hb.host.at) !== hb.host.at ? { ...hb.host, at: this.clamp(hb.host.at) } : hb.host;
    const jobs =
      hb.jobs && (hb.jobs.length > session.slots || hb.jobs.some((j) => !session.runs.has(j.runId)))
        ? hb.jobs.filter((j) => session.runs.has(j.runId)).slice(0, Math.max(1, session.slots))
        : hb.jobs;
    return at === hb.at && host === hb.host && jobs === hb.jobs ? hb : { ...hb, at, host, jobs };
  }
}
