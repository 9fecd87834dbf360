/**
 * Password hashing: scrypt (N=2^17, r=8, p=1) in a self-describing string, `scrypt$17$8$1$<salt>$<hash>` (base64),
 * so the cost can be raised in a later release and a hash made at the old cost upgraded at the user's next
 * successful login. Each hash takes ~128 MiB and 100+ ms of a libuv thread: it runs asynchronously, and at most a
 * few at once (later ones wait in a bounded queue; beyond it the caller is told to retry), so a flood of logins
 * can neither block the event loop nor exhaust memory. Passwords are never logged and never leave this module.
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { CatalogueError, PASSWORD_MIN_LENGTH } from '@scrapyard/protocol';

export interface ScryptCost {
  /** log2 of N. */
  logN: number;
  r: number;
  p: number;
}

/** What new hashes are made with; a stored hash with another cost is upgraded at the next login. */
export const CURRENT_COST: ScryptCost = Object.freeze({ logN: 17, r: 8, p: 1 });

const SALT_BYTES = 16;
const KEY_BYTES = 32;
const PREFIX = 'scrypt';

/** The password rule, as refusals say it. */
export const PASSWORD_RULE = `at least ${PASSWORD_MIN_LENGTH} characters, not the user name, not one character repeated`;

/** Why a password is refused (WEAK_PASSWORD), or undefined when the rule accepts it. */
export function passwordProblem(password: string, userName: string): string | undefined {
  const chars = [...password];
  const weak =
    chars.length < PASSWORD_MIN_LENGTH ||
    password.toLowerCase() === userName.toLowerCase() ||
    chars.every((c) => c === chars[0]);
  return weak ? `too weak: a password needs ${PASSWORD_RULE}` : undefined;
}

interface Parsed {
  cost: ScryptCost;
  salt: Buffer;
  hash: Buffer;
}

/** A stored hash's parts, or undefined when it is not one of ours (then nothing verifies against it). */
export function parseHash(stored: string): Parsed | undefined {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== PREFIX) return undefined;
  const [logN, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  const sane = (n: number, max: number) => Number.isInteger(n) && n >= 1 && n <= max;
  if (!sane(logN, 24) || !sane(r, 64) || !sane(p, 16)) return undefined;
  const salt = Buffer.from(parts[4]!, 'base64');
  const hash = Buffer.from(parts[5]!, 'base64');
  if (salt.length < 8 || hash.length < 16) return undefined;
  return { cost: { logN, r, p }, salt, hash };
}

const sameCost = (a: ScryptCost, b: ScryptCost) => a.logN === b.logN && a.r === b.r && a.p === b.p;

function derive(password: string, salt: Buffer, cost: ScryptCost, length: number): Promise<Buffer> {
  const N = 2 ** cost.logN;
  // scrypt needs 128·N·r bytes (plus a little); node refuses above maxmem (32 MiB by default).
  const options: ScryptOptions = { N, r: cost.r, p: cost.p, maxmem: 2 * 128 * N * cost.r + 1024 * 1024 };
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFC'), salt, length, options, (e, key) => (e ? reject(e) : resolve(key))),
  );
}

/** Too many hashes queued: the caller answers "retry later" (never whether a user exists). */
export class HashQueueFull extends CatalogueError {
  /** For fastify's default error handler (surfaces without a catalogue-aware one). */
  readonly statusCode = 429;
  constructor() {
    super('TOO_MANY_LOGINS', 'too many password checks at once: retry in a few seconds', { retryAfterSeconds: 5 });
  }
}

export interface HasherOptions {
  /** The cost of new hashes (tests lower it; the product uses CURRENT_COST). */
  cost?: ScryptCost;
  /** Hashes computed at once (each holds 128·N·r bytes). */
  concurrency?: number;
  /** Hashes waiting for a slot; more are refused with HashQueueFull. */
  queue?: number;
}

/** Hashes and verifies passwords, a bounded number at a time. */
export class PasswordHasher {
  readonly cost: ScryptCost;
  readonly #max: number;
  readonly #queueMax: number;
  #running = 0;
  readonly #waiting: (() => void)[] = [];
  #dummy: Promise<string> | undefined;
  #derived = 0;

  constructor(o: HasherOptions = {}) {
    this.cost = o.cost ?? CURRENT_COST;
    this.#max = o.concurrency ?? 2;
    this.#queueMax = o.queue ?? 64;
  }

  async hash(password: string): Promise<string> {
    const salt = randomBytes(SALT_BYTES);
    const key = await this.#slot(() => derive(password, salt, this.cost, KEY_BYTES));
    const { logN, r, p } = this.cost;
    return [PREFIX, logN, r, p, salt.toString('base64'), key.toString('base64')].join('$');
  }

  /**
   * Whether `password` matches `stored` (compared in constant time), and whether `stored` was made at another
   * cost than this hasher's (upgrade it). `stored` undefined (no such user): a dummy hash at the current cost is
   * checked instead, so an unknown name takes as long as a wrong password.
   */
  async verify(password: string, stored: string | undefined): Promise<{ ok: boolean; outdated: boolean }> {
    const parsed = parseHash(stored ?? (await this.#dummyHash()));
    if (!parsed) {
      // Not a hash of ours: spend the same time, match nothing.
      await this.verify(password, undefined);
      return { ok: false, outdated: false };
    }
    const key = await this.#slot(() => derive(password, parsed.salt, parsed.cost, parsed.hash.length));
    const ok = timingSafeEqual(key, parsed.hash) && stored !== undefined;
    return { ok, outdated: !sameCost(parsed.cost, this.cost) };
  }

  /** Makes the dummy hash ahead of the first unknown name (else that one attempt would take twice as long). */
  async prepare(): Promise<void> {
    await this.#dummyHash();
  }

  #dummyHash(): Promise<string> {
    return (this.#dummy ??= this.hash(randomBytes(16).toString('hex')));
  }

  /** scrypt runs done so far: each verify costs one, known user or not (what tests check instead of timing). */
  get derived(): number {
    return this.#derived;
  }

  async #slot<T>(work: () => Promise<T>): Promise<T> {
    if (this.#running >= this.#max) {
      if (this.#waiting.length >= this.#queueMax) throw new HashQueueFull();
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    } else {
      this.#running++;
    }
    try {
      this.#derived++;
      return await work();
    } finally {
      // Hand the slot straight to the next waiter (the count stays), or free it.
      const next = this.#waiting.shift();
      if (next) next();
      else this.#running--;
    }
  }
}
