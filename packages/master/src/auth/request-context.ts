/**
 * Who a request acts for, reachable from anything it causes: an AsyncLocalStorage entered once the principal is
 * known, so a domain event published while the request is handled (however deep in a service) can be attributed
 * without passing the caller through every signature. Work outside a request (the scheduler's timer, agents'
 * messages, the alert engine) has no context: its events are the system's own.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { actorOf, type Principal } from './principal.js';

export type Actor = ReturnType<typeof actorOf>;

export interface RequestContext {
  actor: Actor;
  /** The client's address (fastify's `req.ip`: the peer, or the proxy's forwarded address when trusted). */
  address: string;
}

const storage = new AsyncLocalStorage<RequestContext>();
const ANONYMOUS: Actor = Object.freeze({ kind: 'anonymous', id: null, name: null });

/** The context of the request being handled, if any (one lookup: cheap enough for schedule.json). */
export function currentRequest(): RequestContext | undefined {
  return storage.getStore();
}

/** Runs `fn` (and everything it causes, synchronously or later) as the given request. */
export function runAsRequest<T>(principal: Principal | undefined, address: string, fn: () => T): T {
  return storage.run({ actor: principal === undefined ? ANONYMOUS : actorOf(principal), address }, fn);
}

/**
 * A fastify `preHandler` hook (callback style, so fastify calls the handler from inside `run`): after the auth
 * hooks identified the principal and after the body was parsed, whose stream callbacks would lose a context
 * entered at onRequest.
 */
export function enterRequestContext(
  req: { principal?: Principal | undefined; ip: string },
  _reply: unknown,
  done: () => void,
): void {
  runAsRequest(req.principal, req.ip, done);
}
