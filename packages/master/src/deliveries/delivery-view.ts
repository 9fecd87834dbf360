import type { Delivery } from '@scrapyard/protocol';
import type { DeliveryRow } from '../db/repos/deliveries.js';

/** A delivery as the API shows it (its payload is not: it may hold items or alert detail of other projects). */
export function deliveryView(r: DeliveryRow): Delivery {
  return {
    id: r.id,
    kind: r.kind,
    targetId: r.target_id,
    event: r.event,
    state: r.state,
    attempts: r.attempts,
    nextAt: r.state === 'pending' ? r.next_at : null,
    createdAt: r.created_at,
    lastAttemptAt: r.last_attempt_at,
    deliveredAt: r.delivered_at,
    lastStatus: r.last_status,
    lastError: r.last_error,
    latencyMs: r.latency_ms,
  };
}
