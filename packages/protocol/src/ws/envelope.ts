import { z } from 'zod';
import { errorWithCode } from '../errors.js';

/**
 * Every WebSocket frame is one JSON envelope. `id` is set on requests that expect a reply; the reply carries the
 * same number in `replyTo`. Fire-and-forget messages carry neither.
 */
export const Envelope = z.object({
  type: z.string().min(1).max(64),
  id: z.number().int().nonnegative().optional(),
  replyTo: z.number().int().nonnegative().optional(),
  payload: z.unknown(),
});
export type Envelope = z.infer<typeof Envelope>;

export class ProtocolError extends errorWithCode('PROTOCOL_ERROR') {}

/** Parses a raw frame into an envelope; throws ProtocolError on anything that is not one. */
export function parseEnvelope(raw: string): Envelope {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new ProtocolError('frame is not JSON');
  }
  const result = Envelope.safeParse(json);
  if (!result.success) throw new ProtocolError(`bad envelope: ${result.error.issues[0]?.message ?? 'invalid'}`);
  return result.data;
}

export function encodeEnvelope(envelope: Envelope): string {
  return JSON.stringify(envelope);
}
