/**
 * What a delivery row stores (`deliveries.payload`, JSON) and the bodies built from it at send time. Items are
 * stored as a range of the job's items file, read when sent, so the outbox doesn't hold a second copy of them.
 */
import type { AlertNotice } from './notice.js';

export interface JobFacts {
  jobId: string;
  runId: string;
  project: string;
  spider: string;
}

export type StoredPayload =
  | { kind: 'event'; type: string; at: number; data: Record<string, unknown> }
  | { kind: 'items'; at: number; job: JobFacts; from: number; to: number; count: number; final: boolean }
  | { kind: 'notice'; notice: AlertNotice };

/** The Standard Webhooks envelope: `type`, `timestamp` (ISO 8601), `data`. */
export function envelope(type: string, at: number, data: unknown): string {
  return JSON.stringify({ type, timestamp: new Date(at).toISOString(), data });
}
