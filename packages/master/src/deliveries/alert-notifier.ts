/** The alert engine's way out: one outbox row per channel and notice, keyed so a replayed notice is sent once. */
import type { DeliveriesRepo } from '../db/repos/deliveries.js';
import { newDeliveryId } from './delivery-id.js';
import type { AlertNotice, AlertNotifier } from './notice.js';
import type { StoredPayload } from './payloads.js';
import type { TargetCatalog } from './targets.js';

export function createAlertNotifier(d: {
  repo: DeliveriesRepo;
  targets: TargetCatalog;
  now: () => number;
  wake: () => void;
}): AlertNotifier {
  return {
    async notify(channelIds: readonly string[], notice: AlertNotice, key: string): Promise<void> {
      const now = d.now();
      const payload: StoredPayload = { kind: 'notice', notice };
      const rows = channelIds
        .filter((id) => d.targets.channel(id) !== undefined)
        .map((id) => ({
          id: newDeliveryId(),
          kind: 'alert' as const,
          target_id: id,
          dedup_key: key,
          event: `alert.${notice.state}`,
          payload: JSON.stringify(payload),
          next_at: now,
          created_at: now,
        }));
      if ((await d.repo.enqueue(rows)) > 0) d.wake();
    },
    async missingChannels(ids: readonly string[]): Promise<string[]> {
      const found = new Set(await d.repo.channels.ids(ids));
      return [...new Set(ids)].filter((id) => !found.has(id));
    },
  };
}
