import type { z } from 'zod';
import { validateMessage, type Catalog, type MessageOf } from './catalog.js';

/** What the handler of message K returns: the reply for a request type (sync or async), nothing otherwise. */
export type HandlerResult<C extends Catalog, K extends keyof C> = C[K]['reply'] extends z.ZodType
  ? z.input<C[K]['reply']> | Promise<z.input<C[K]['reply']>>
  : void | Promise<void>;

/** One handler per message type of a catalog (or of the subset K a side handles after the handshake). */
export type HandlerMap<C extends Catalog, Ctx, K extends keyof C & string = keyof C & string> = {
  [T in K]: (payload: MessageOf<C, T>, ctx: Ctx) => HandlerResult<C, T>;
};

/**
 * Routes one received message to its handler: the payload is validated first, and a request's reply is validated
 * before it is returned to be sent, so neither side ever acts on, or answers with, a malformed payload. Returns
 * the reply (undefined for one-way messages); throws a ZodError on an invalid payload or reply.
 */
export async function handleMessage<C extends Catalog, Ctx, K extends keyof C & string>(
  catalog: C,
  handlers: HandlerMap<C, Ctx, K>,
  type: K,
  payload: unknown,
  ctx: Ctx,
): Promise<unknown> {
  const handler = handlers[type] as (payload: unknown, ctx: Ctx) => unknown;
  const result = await handler(validateMessage(catalog, type, payload), ctx);
  const reply = catalog[type]?.reply;
  return reply ? reply.parse(result) : undefined;
}
