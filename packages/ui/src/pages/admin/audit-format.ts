/** An audit entry as read (pure): who acted, and what changed in a line. */
import type { AuditActor } from '@scrapyard/protocol';

/** `user ann`, `token ci`, `admin` (the built-in one), `system`. */
export function actorLabel(actor: AuditActor): string {
  return actor.name === null || actor.name === '' ? actor.kind : `${actor.kind} ${actor.name}`;
}

function valueText(v: unknown): string {
  if (v === null || v === undefined) return '–';
  if (Array.isArray(v)) return v.map(valueText).join(', ');
  if (typeof v === 'object') {
    return Object.entries(v as Record<string, unknown>)
      .map(([k, x]) => `${k} ${valueText(x)}`)
      .join(', ');
  }
  return String(v);
}

/** `role: viewer; projects: a, b` (keys in the server's order; nested values flattened). */
export function summaryText(summary: Record<string, unknown>): string {
  return Object.entries(summary)
    .map(([k, v]) => `${k}: ${valueText(v)}`)
    .join('; ');
}
