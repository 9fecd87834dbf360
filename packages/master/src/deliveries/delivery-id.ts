import { randomBytes } from 'node:crypto';

/** A delivery's id, sent as `webhook-id`: unique, and the same on every attempt. */
export function newDeliveryId(): string {
  return `msg_${randomBytes(12).toString('hex')}`;
}
