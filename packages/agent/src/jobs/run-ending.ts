/**
 * The `finished` event of a run that ended: its exit status (from the process, or the runner's exit file for a
 * crawl that was not our child), its outcome, and for a failure the tail of its output as the reason.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import type { RunFiles } from '../runner/crawl-command.js';
import { describeEnding } from './outcome.js';

const fileSize = (p: string) => {
  try {
    return statSync(p).size;
  } catch {
    return 0;
  }
};
const outputTail = (p: string) => {
  try {
    const text = readFileSync(p, 'utf8');
    return text.length > 2000 ? text.slice(-2000) : text;
  } catch {
    return '';
  }
};

export interface RunEnding {
  runId: string;
  files: RunFiles;
  code: number | null;
  signal: NodeJS.Signals | null;
  cancelled: boolean;
  failure?: string | undefined;
  outcomeOverride?: 'start_failed' | undefined;
  startedAt: number | null;
  endedAt: number;
}

export function finishedEvent(e: RunEnding) {
  const { files, code, signal, cancelled, failure, outcomeOverride } = e;
  let exitCode = code;
  if (exitCode === null && signal === null && existsSync(files.exit)) {
    // Empty: made for a crawl user and never written (the crawl died before the runner could).
    const text = readFileSync(files.exit, 'utf8').trim();
    const n = Number(text);
    if (text !== '' && Number.isInteger(n)) exitCode = n;
  }
  const ending = describeEnding({ exitCode, signal, cancelled });
  let reason = failure ?? ending.reason;
  if (ending.outcome === 'failed' && !failure) {
    const tail = outputTail(files.output).trim();
    if (tail) reason = `${reason}\n${tail}`;
  }
  return {
    kind: 'finished' as const,
    runId: e.runId,
    startedAt: e.startedAt,
    endedAt: e.endedAt,
    exitCode,
    signal,
    outcome: outcomeOverride ?? ending.outcome,
    reason: reason === null ? null : reason.slice(0, 8000),
    logBytes: fileSize(files.log),
    itemsBytes: fileSize(files.items),
  };
}
