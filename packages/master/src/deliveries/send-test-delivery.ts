/** The "send a test" of a webhook or channel: one delivery queued now, sent by the worker like any other. */
import type { Delivery } from '@scrapyard/protocol';
import type { DeliveriesRepo } from '../db/repos/deliveries.js';
import { newDeliveryId } from './delivery-id.js';
import { deliveryView } from './delivery-view.js';
import type { StoredPayload } from './payloads.js';

export async function sendTestDelivery(
  d: { repo: DeliveriesRepo; wake: () => void },
  target: { kind: 'webhook' | 'alert'; id: string; event: string },
  payload: StoredPayload,
  now: number,
): Promise<{ delivery: Delivery }> {
  const deliveryId = newDeliveryId();
  await d.repo.enqueue([
    {
      id: deliveryId,
      kind: target.kind,
      target_id: target.id,
      dedup_key: `test:${deliveryId}`,
      event: target.event,
      payload: JSON.stringify(payload),
      next_at: now,
      created_at: now,
    },
  ]);
  d.wake();
  return { delivery: deliveryView((await d.repo.get(deliveryId))!) };
}
