/** The viewer's reads of a job's log: byte ranges, searches (GET /api/v1/jobs/:id/log…) and the live tail (SSE). */
import type { LogRange, LogSearchResult } from '@scrapyard/protocol';
import { api } from '../../../api/client.js';

export interface LogTarget {
  jobId: string;
  project?: string | undefined;
}

const base = (t: LogTarget) => `jobs/${encodeURIComponent(t.jobId)}/log`;
const query = (t: LogTarget, params: Record<string, string | number | undefined>) => {
  const q = new URLSearchParams();
  if (t.project !== undefined) q.set('project', t.project);
  for (const [k, v] of Object.entries(params)) if (v !== undefined) q.set(k, String(v));
  const s = q.toString();
  return s === '' ? '' : `?${s}`;
};

/** Bytes [offset, offset + length) of the log; without an offset, its last `length` bytes. */
export const readRange = (t: LogTarget, offset: number | undefined, length: number) =>
  api.get<LogRange>(`${base(t)}${query(t, { offset, length })}`);

export const searchLog = (t: LogTarget, q: string, from: number | undefined, direction: 'forward' | 'backward') =>
  api.get<LogSearchResult>(`${base(t)}/search${query(t, { q, from, direction, limit: 1 })}`);

export const downloadUrl = (t: LogTarget) => `/api/v1/${base(t)}/download${query(t, {})}`;

/**
 * Follows the log from byte `offset` (log-stream.ts): `piece` for each chunk, `end` once the job is finished and
 * all was sent. The browser reconnects by itself after a drop, resuming at the last piece's end (its event id).
 * Answers a function that closes it.
 */
export function followLog(
  t: LogTarget,
  offset: number,
  on: { piece: (offset: number, text: string) => void; end: () => void; error: () => void },
): () => void {
  const source = new EventSource(`/api/v1/${base(t)}/stream${query(t, { offset })}`, { withCredentials: true });
  source.addEventListener('chunk', (e) => {
    const { offset: at, text } = JSON.parse((e as MessageEvent<string>).data) as { offset: number; text: string };
    on.piece(at, text);
  });
  source.addEventListener('end', () => {
    source.close();
    on.end();
  });
  source.addEventListener('error', () => {
    if (source.readyState === EventSource.CLOSED) on.error();
  });
  return () => source.close();
}
