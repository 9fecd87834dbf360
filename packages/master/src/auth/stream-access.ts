/**
 * Open streams (the live event stream, a live log tail) outlive the access check their request passed, so their
 * access is checked again while they stay open: after an `access.changed` that concerns the principal holding them
 * (its token, its session, its user or a token's owner), and on a timer (an expiry publishes no event). A check
 * identifies the stream's credentials again and asks the stream whether the principal they prove now may keep it:
 * yes, the stream goes on as that principal (its grants may have changed); no, it ends. A check that fails (a store
 * hiccup, a login lockout) says nothing about the stream's access: it is kept and checked again later. One check
 * runs at a time per stream; a change during it checks once more after it.
 */
import type { Logger } from 'pino';
import type { DomainEvents, Published } from '../events/domain-events.js';
import type { Principal } from './principal.js';

/** What an open stream tells the watch about itself. */
export interface WatchedStream {
  /** The principal holding the stream: updated after each check that keeps it. */
  principal: Principal;
  /** Proves the stream's credentials again (the request's own headers, the auth layer's current view). */
  reidentify: () => Promise<Principal>;
  /** Whether `now`, what the credentials prove now, may keep the stream `before` held. */
  allows: (now: Principal, before: Principal) => boolean;
  /** A check kept the stream as `now` (a stream whose view depends on the grants recomputes it). */
  kept?: (now: Principal) => void;
  /** Access is gone: end the stream (it is no longer watched). */
  end: () => void;
}

export interface StreamAccessOptions {
  events: DomainEvents;
  logger: Pick<Logger, 'warn'>;
}

interface Watch {
  stream: WatchedStream;
  checking: boolean;
  again: boolean;
  closed: boolean;
  timer: NodeJS.Timeout;
}

export class StreamAccess {
  readonly #watches = new Set<Watch>();
  readonly #log: Pick<Logger, 'warn'>;
  readonly #off: () => void;

  constructor(o: StreamAccessOptions) {
    this.#log = o.logger;
    // After every subscriber of the event ran (the resolvers' caches are cleared by theirs).
    this.#off = o.events.on('access.changed', (e) => setImmediate(() => this.#changed(e)));
  }

  /** Watches a stream, checking it every `everyMs` too, until the returned function is called (the stream closed). */
  watch(stream: WatchedStream, everyMs: number): () => void {
    const w: Watch = { stream, checking: false, again: false, closed: false, timer: undefined! };
    w.timer = setInterval(() => void this.#check(w), everyMs).unref();
    this.#watches.add(w);
    return () => this.#unwatch(w);
  }

  /** Watches open at once (tests). */
  get size(): number {
    return this.#watches.size;
  }

  /** Unsubscribes and stops every watch (the streams are ended by their owners). */
  stop(): void {
    this.#off();
    for (const w of [...this.#watches]) this.#unwatch(w);
  }

  #unwatch(w: Watch): void {
    w.closed = true;
    clearInterval(w.timer);
    this.#watches.delete(w);
  }

  #changed(e: Published<'access.changed'>): void {
    for (const w of [...this.#watches]) if (concerns(e, w.stream.principal)) void this.#check(w);
  }

  async #check(w: Watch): Promise<void> {
    if (w.checking) {
      w.again = true;
      return;
    }
    w.checking = true;
    try {
      do {
        w.again = false;
        let now: Principal;
        try {
          now = await w.stream.reidentify();
        } catch (e) {
          this.#log.warn({ err: e }, 're-checking the credentials of an open stream failed');
          return;
        }
        if (w.closed) return;
        if (!w.stream.allows(now, w.stream.principal)) {
          this.#unwatch(w);
          w.stream.end();
          return;
        }
        w.stream.principal = now;
        w.stream.kept?.(now);
      } while (w.again && !w.closed);
    } finally {
      w.checking = false;
    }
  }
}

/**
 * Whether an access change may concern a stream held by `p`. A stranger's stream (readable under the open default,
 * which the first user ends) is concerned by every change.
 */
export function concerns(e: Published<'access.changed'>, p: Principal): boolean {
  if (p.kind === 'anonymous') return true;
  switch (e.entity) {
    case 'session':
      return p.kind === 'user' && p.sessionId === e.id;
    case 'token':
      return p.kind === 'token' && p.tokenId === e.id;
    case 'user':
      return (p.kind === 'user' && p.userId === e.id) || (p.kind === 'token' && p.ownerId === e.id);
  }
}

/** Whether `b` is the principal `a` (the same user and session, token, node…); a stranger is never the same. */
export function samePrincipal(a: Principal, b: Principal): boolean {
  switch (a.kind) {
    case 'anonymous':
      return false;
    case 'scrapyd-user':
      return b.kind === a.kind && b.username === a.username;
    case 'admin':
      return b.kind === a.kind;
    case 'user':
      return b.kind === a.kind && b.userId === a.userId && b.sessionId === a.sessionId;
    case 'token':
      return b.kind === a.kind && b.tokenId === a.tokenId;
    case 'node':
      return b.kind === a.kind && b.nodeId === a.nodeId;
  }
}
