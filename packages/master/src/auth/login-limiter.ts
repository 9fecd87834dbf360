/**
 * Failed password logins, counted per user name and per address: after `max` failures within the window, that
 * name (or address) is refused for the rest of the window, right password or not, with one answer (429
 * TOO_MANY_LOGINS) that is the same whether the name exists. Names that do not exist are counted like the rest.
 * Memory is bounded: the least recently used keys are forgotten beyond `maxKeys`. IPv6 addresses count per /64
 * (one host usually holds a whole /64, so single addresses would cost an attacker nothing).
 */
import { CatalogueError } from '@scrapyard/protocol';

/** The refusal while a name or an address is locked. */
export class TooManyLogins extends CatalogueError {
  /** For fastify's default error handler (surfaces without a catalogue-aware one). */
  readonly statusCode = 429;
  constructor(readonly retryAfterSeconds: number) {
    super('TOO_MANY_LOGINS', `too many failed logins: retry in ${retryAfterSeconds} s`, { retryAfterSeconds });
  }
}

export interface LoginLimits {
  /** Failures per user name within the window before it is locked. */
  maxPerUser: number;
  /** Failures per address within the window before it is locked. */
  maxPerAddress: number;
  windowMs: number;
  /** Names and addresses remembered at most (oldest forgotten first). */
  maxKeys?: number;
  now: () => number;
}

interface Count {
  failures: number;
  windowStart: number;
  lockedUntil: number;
}

/** An address as the limiter counts it: IPv4 as is (also when IPv4-mapped), IPv6 by its /64. */
export function addressKey(address: string): string {
  const a = address.split('%')[0]!.toLowerCase();
  if (a.startsWith('::ffff:') && a.includes('.')) return a.slice(7);
  if (!a.includes(':')) return a;
  const [head = '', tail] = a.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups =
    tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

export class LoginLimiter {
  readonly #counts = new Map<string, Count>();
  readonly #maxKeys: number;
  /** No name nor address is locked from then on: every check of a known caller's request is then one comparison. */
  #allUnlockedAt = 0;

  constructor(private readonly o: LoginLimits) {
    this.#maxKeys = o.maxKeys ?? 10_000;
  }

  /** Throws TooManyLogins while the name or the address is locked. */
  check(name: string, address: string): void {
    const now = this.o.now();
    if (now >= this.#allUnlockedAt) return;
    const until = Math.max(this.#lockedUntil(userKey(name), now), this.#lockedUntil(addrKey(address), now));
    if (until > now) throw new TooManyLogins(Math.max(1, Math.ceil((until - now) / 1000)));
  }

  /** Counts a failure; true when it locked the name or the address. */
  failed(name: string, address: string): boolean {
    const byUser = this.#fail(userKey(name), this.o.maxPerUser);
    const byAddress = this.#fail(addrKey(address), this.o.maxPerAddress);
    return byUser || byAddress;
  }

  /** A right password clears the name's failures (not the address's: it may be guessing other names). */
  succeeded(name: string): void {
    this.#counts.delete(userKey(name));
  }

  /** Keys remembered now (for tests of the bound). */
  get size(): number {
    return this.#counts.size;
  }

  #lockedUntil(key: string, now: number): number {
    const c = this.#counts.get(key);
    return c && c.lockedUntil > now ? c.lockedUntil : 0;
  }

  #fail(key: string, max: number): boolean {
    const now = this.o.now();
    let c = this.#counts.get(key);
    if (!c || now - c.windowStart >= this.o.windowMs) c = { failures: 0, windowStart: now, lockedUntil: 0 };
    c.failures++;
    const locks = c.failures >= max && c.lockedUntil <= now;
    if (locks) {
      c.lockedUntil = now + this.o.windowMs;
      this.#allUnlockedAt = Math.max(this.#allUnlockedAt, c.lockedUntil);
    }
    // Re-inserted: the most recently failed keys are the last forgotten.
    this.#counts.delete(key);
    this.#counts.set(key, c);
    while (this.#counts.size > this.#maxKeys) this.#counts.delete(this.#counts.keys().next().value!);
    return locks;
  }
}

// Names are compared without case here, so `Admin` and `admin` share one count.
const userKey = (name: string) => `u:${name.toLowerCase()}`;
const addrKey = (address: string) => `a:${addressKey(address)}`;
