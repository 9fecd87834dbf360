/**
 * The live stream's resume logic as a pure state machine: `step(state, input)` answers the next state and what to
 * do (connect with the last id, wait before retrying, hand an event or a reset to the listeners, give up for good).
 * No timers, no DOM: event-stream.ts runs the effects; the tests drive it input by input.
 *
 * - Every message carries an id; the last one is what a reconnect resumes from (`ready` and `reset` carry one too,
 *   so a stream that has seen no event yet still resumes without a gap).
 * - Any error closes the connection and retries after a backoff (doubling, capped, jittered); `ready` or `reset`
 *   means connected again and resets the backoff.
 * - `reset`: what was missed can't be replayed: listeners reload their view, then the stream goes on.
 * - `end`: the server says access is gone: no retry.
 * - A message whose id is not after the last one of the same stream is a duplicate and dropped.
 * - Telemetry (TRANSIENT_LIVE_TYPES: host samples) comes without an id, is never replayed, and moves nothing.
 */
import { TRANSIENT_LIVE_TYPES } from '@scrapyard/protocol/live-types';

const TRANSIENT: ReadonlySet<string> = new Set(TRANSIENT_LIVE_TYPES);

export type Phase = 'idle' | 'connecting' | 'live' | 'waiting' | 'ended';

export interface ResumeState {
  phase: Phase;
  /** The last id seen (`<epoch>-<seq>`), null before the first message. */
  lastId: string | null;
  /** Failed connections in a row. */
  failures: number;
}

export type Input =
  | { kind: 'start' }
  | { kind: 'message'; event: string; id: string; data: string }
  | { kind: 'error' }
  | { kind: 'retry' }
  | { kind: 'stop' };

export type Effect =
  | { kind: 'connect'; lastId: string | null }
  | { kind: 'close' }
  | { kind: 'wait'; ms: number }
  | { kind: 'event'; type: string; data: string }
  | { kind: 'reset' }
  | { kind: 'ended'; reason: string };

export interface Backoff {
  /** First retry delay (ms); default 1000. */
  baseMs?: number;
  /** Longest delay (ms); default 30 000. */
  maxMs?: number;
  /** In [0, 1): spreads the tabs of a restarted master over the second half of the delay. */
  random?: () => number;
}

export const INITIAL: ResumeState = { phase: 'idle', lastId: null, failures: 0 };

/** The delay before retry number `failures` (1 = the first). */
export function retryDelay(failures: number, b: Backoff = {}): number {
  const base = b.baseMs ?? 1_000;
  const full = Math.min(b.maxMs ?? 30_000, base * 2 ** Math.min(failures - 1, 30));
  return Math.round(full * (0.5 + (b.random ?? Math.random)() / 2));
}

/** `<epoch>-<seq>` split, or null for an id of another shape. */
export function parseId(id: string): { epoch: string; seq: number } | null {
  const m = /^([0-9a-z]{1,16})-(\d{1,15})$/.exec(id);
  return m === null ? null : { epoch: m[1]!, seq: Number(m[2]) };
}

/** Whether `id` comes after `last` in the same stream (a new stream's ids are always taken). */
export function isAfter(id: string, last: string | null): boolean {
  if (last === null) return true;
  const a = parseId(id);
  const b = parseId(last);
  if (a === null || b === null || a.epoch !== b.epoch) return true;
  return a.seq > b.seq;
}

export function step(s: ResumeState, input: Input, backoff: Backoff = {}): [ResumeState, Effect[]] {
  switch (input.kind) {
    case 'start':
      if (s.phase !== 'idle') return [s, []];
      return [{ ...s, phase: 'connecting' }, [{ kind: 'connect', lastId: s.lastId }]];
    case 'stop':
      if (s.phase === 'idle' || s.phase === 'ended') return [s, []];
      return [{ ...s, phase: 'idle', failures: 0 }, [{ kind: 'close' }]];
    case 'retry':
      if (s.phase !== 'waiting') return [s, []];
      return [{ ...s, phase: 'connecting' }, [{ kind: 'connect', lastId: s.lastId }]];
    case 'error': {
      if (s.phase !== 'connecting' && s.phase !== 'live') return [s, []];
      const failures = s.failures + 1;
      return [
        { ...s, phase: 'waiting', failures },
        [{ kind: 'close' }, { kind: 'wait', ms: retryDelay(failures, backoff) }],
      ];
    }
    case 'message':
      return onMessage(s, input);
  }
}

function onMessage(s: ResumeState, m: Extract<Input, { kind: 'message' }>): [ResumeState, Effect[]] {
  if (s.phase !== 'connecting' && s.phase !== 'live') return [s, []];
  switch (m.event) {
    case 'ready':
      return [{ phase: 'live', lastId: m.id || s.lastId, failures: 0 }, []];
    case 'reset':
      return [{ phase: 'live', lastId: m.id || s.lastId, failures: 0 }, [{ kind: 'reset' }]];
    case 'end':
      return [
        { ...s, phase: 'ended', lastId: m.id || s.lastId },
        [{ kind: 'close' }, { kind: 'ended', reason: reasonOf(m.data) }],
      ];
    default:
      if (TRANSIENT.has(m.event)) {
        return [s, s.phase === 'live' ? [{ kind: 'event', type: m.event, data: m.data }] : []];
      }
      if (m.id === '' || !isAfter(m.id, s.lastId)) return [s, []];
      return [{ ...s, phase: 'live', lastId: m.id }, [{ kind: 'event', type: m.event, data: m.data }]];
  }
}

function reasonOf(data: string): string {
  try {
    const r = (JSON.parse(data) as { reason?: unknown }).reason;
    return typeof r === 'string' ? r : 'ended';
  } catch {
    return 'ended';
  }
}

/** The stream's URL: the families asked for and, on a reconnect, the id to resume from. */
export function streamUrl(base: string, families: readonly string[] | undefined, lastId: string | null): string {
  const q: string[] = [];
  if (families !== undefined && families.length > 0) q.push(`types=${families.map(encodeURIComponent).join(',')}`);
  if (lastId !== null) q.push(`lastEventId=${encodeURIComponent(lastId)}`);
  return q.length === 0 ? base : `${base}${base.includes('?') ? '&' : '?'}${q.join('&')}`;
}
