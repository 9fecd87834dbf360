/**
 * Eggs fetched from the master by SHA-256 digest, streamed to disk, verified, then renamed into place, so the
 * cache never holds a partial or tampered file. Concurrent requests for one digest share one download.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { AGENT_HTTP_PREFIX } from '@scrapyard/protocol';

export class EggFetchError extends Error {
  readonly code = 'EGG_FETCH_FAILED';
}

export class EggCache {
  readonly #dir: string;
  readonly #inflight = new Map<string, Promise<string>>();

  constructor(
    dir: string,
    private readonly httpBase: () => string,
    private readonly token: () => string | undefined,
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
    if (existsSync(path)) return Promise.resolve(path);
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
    const res = await fetch(`${this.httpBase()}${AGENT_HTTP_PREFIX}/eggs/${digest}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    if (!res.ok || !res.body) throw new EggFetchError(`egg ${digest}: master answered HTTP ${res.status}`);
    const tmp = `${path}.${randomBytes(6).toString('hex')}.part`;
    const hash = createHash('sha256');
    try {
      const body = Readable.fromWeb(res.body as WebReadableStream);
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
}
