import type { z } from 'zod';

/** A catalog maps a message type to its payload schema and, for requests, the schema of the reply. */
export interface CatalogEntry {
  message: z.ZodType;
  reply?: z.ZodType;
  /**
   * For a message sent thousands of times a second: true only for a payload `message` would accept and return
   * unchanged, which is then taken as it is, without zod's copy (heartbeat-as-is.ts).
   */
  asIs?: (payload: unknown) => boolean;
}
export type Catalog = Record<string, CatalogEntry>;

/** Payload a receiver gets for message K (after defaults/transforms). */
export type MessageOf<C extends Catalog, K extends keyof C> = z.output<C[K]['message']>;
/** Payload a sender writes for message K (before defaults/transforms). */
export type MessageInputOf<C extends Catalog, K extends keyof C> = z.input<C[K]['message']>;
/** Reply payload for request K. */
export type ReplyOf<C extends Catalog, K extends keyof C> = C[K]['reply'] extends z.ZodType
  ? z.output<C[K]['reply']>
  : never;
/** Message types of C that expect a reply. */
export type RequestTypes<C extends Catalog> = {
  [K in keyof C]: C[K]['reply'] extends z.ZodType ? K : never;
}[keyof C];

/** Validates a payload against its catalog entry; throws a ZodError on mismatch (sender and receiver both call it). */
export function validateMessage<C extends Catalog, K extends keyof C & string>(
  catalog: C,
  type: K,
  payload: unknown,
): MessageOf<C, K> {
  const entry = catalog[type];
  if (!entry) throw new Error(`unknown message type ${type}`);
  if (entry.asIs?.(payload) === true) return payload as MessageOf<C, K>;
  return entry.message.parse(payload) as MessageOf<C, K>;
}

export function validateReply<C extends Catalog, K extends keyof C & string>(
  catalog: C,
  type: K,
  payload: unknown,
): ReplyOf<C, K> {
  const schema = catalog[type]?.reply;
  if (!schema) throw new Error(`message type ${type} has no reply`);
  return schema.parse(payload) as ReplyOf<C, K>;
}

export function isKnownType<C extends Catalog>(catalog: C, type: string): type is keyof C & string {
  return Object.prototype.hasOwnProperty.call(catalog, type);
}
