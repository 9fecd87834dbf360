/** Maps how a crawl process ended to the outcome and reason the master records (pure; unit-tested). */
import type { JobOutcome } from '@scrapyard/protocol';

export interface Ending {
  exitCode: number | null;
  signal: string | null;
  cancelled: boolean;
}

export function describeEnding(e: Ending): { outcome: JobOutcome; reason: string | null } {
  if (e.cancelled) {
    return { outcome: 'cancelled', reason: e.signal ? `cancelled; process ended by ${e.signal}` : 'cancelled' };
  }
  if (e.exitCode === 0) return { outcome: 'succeeded', reason: null };
  if (e.signal) return { outcome: 'failed', reason: `killed by ${e.signal}` };
  if (e.exitCode === null) {
    return { outcome: 'failed', reason: 'process ended while the agent was away; exit status unknown' };
  }
  return { outcome: 'failed', reason: `exited with code ${e.exitCode}` };
}
