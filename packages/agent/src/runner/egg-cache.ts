/**
 * Eggs fetched from the master by SHA-256 digest, streamed to disk, verified, then renamed into place, so the
 * cache never holds a partial or tampered file. Concurrent requests for one digest share one download.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { AGENT_HTTP_PREFIX, errorWithCode } from '@scrapyard/protocol';
import { masterRequest } from '../net/http-client.js';
import { idleMs, markUsed } from './last-use.js';

export class EggFetchError extends errorWithCode('EGG_FETCH_FAILED') {}

export class EggCache {
  readonly #dir: string;
  readonly #inflight = new Map<string, Promise<string>>();

  constructor(
    dir: string,
    private readonly httpBase: () => string,
    private readonly token: () => string | undefined,
    private readonly ca?: Buffer,
    private readonly caIsMasterCert = false,
  ) {
    this.#dir = dir;
    mkdirSync(dir, { recursive: true });
  }

  pathOf(digest: string): string {
    return join(this.#dir, `${digest}.egg`);
  }

  /** Path of the egg on disk, downloading it first if needed. */
  get(digest: string): Promise<string> {
    const path = this.pathOf(digest);
    if (markUsed(path)) return Promise.resolve(path);
    let p = this.#inflight.get(digest);
    if (!p) {
      p = this.#download(digest, path).finally(() => this.#inflight.delete(digest));
      this.#inflight.set(digest, p);
    }
    return p;
  }

  async #download(digest: string, path: string): Promise<string> {
    const token = this.token();
    if (!token) throw new EggFetchError('not connected to the master: cannot fetch the egg');
    const res = await masterRequest(
      `${this.httpBase()}${AGENT_HTTP_PREFIX}/eggs/${digest}`,
      { method: 'GET', headers: { authorization: `Bearer ${token}` } },
      { ca: this.ca, caIsMasterCert: this.caIsMasterCert },
    );
    if (res.statusCode !== 200) {
      res.resume();
      throw new EggFetchError(`egg ${digest}: master answered HTTP ${res.statusCode}`);
    }
    const tmp = `${path}.${randomBytes(6).toString('hex')}.part`;
    const hash = createHash('sha256');
    try {
      const body = res;
      body.on('data', (chunk: Buffer) => hash.update(chunk));
      await pipeline(body, createWriteStream(tmp));
      const got = hash.digest('hex');
      if (got !== digest) throw new EggFetchError(`egg ${digest}: downloaded bytes hash to ${got}`);
      renameSync(tmp, path);
      return path;
    } catch (e) {
      rmSync(tmp, { force: true });
      throw e;
    }
  }

  /**
   * Deletes cached eggs that no live version uses, except those `inUse` (runs still need them) and those used
   * within `keepMs` (a version re-uploaded soon after deletion needn't be fetched again). Returns what it removed.
   */
  collect(live: ReadonlySet<string>, inUse: ReadonlySet<string>, keepMs: number, now = Date.now()): string[] {
    const removed: string[] = [];
    for (const name of readdirSync(this.#dir)) {
      const m = /^([0-9a-f]{64})\.egg$/.exec(name);
      if (!m) continue;
      const digest = m[1]!;
      if (live.has(digest) || inUse.has(digest) || this.#inflight.has(digest)) continue;
      const path = join(this.#dir, name);
      const idle = idleMs(path, now);
      if (idle === null || idle < keepMs) continue;
      rmSync(path, { force: true });
      removed.push(digest);
    }
    return removed;
  }
}
