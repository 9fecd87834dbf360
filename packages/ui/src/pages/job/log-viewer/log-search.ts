/** Finding the next or previous match of a search, over as many bounded server scans as it takes. */
import type { LogMatch } from '@scrapyard/protocol';
import { searchLog, type LogTarget } from './log-source.js';

/** Scans of 64 MiB each: enough for a 1 GiB log and more before saying "not found". */
const MAX_SCANS = 32;

export async function findMatch(
  t: LogTarget,
  q: string,
  from: number | undefined,
  direction: 'forward' | 'backward',
): Promise<LogMatch | undefined> {
  let at = from;
  for (let i = 0; i < MAX_SCANS; i++) {
    const found = await searchLog(t, q, at, direction);
    if (found.matches[0]) return found.matches[0];
    if (found.next === null) return undefined;
    at = found.next;
  }
  return undefined;
}
