/**
 * Eggs on disk, content-addressed by SHA-256: `<dir>/<aa>/<digest>.egg`. Identical uploads share one file, agents
 * fetch by digest, and a file is only removed when no version refers to it any more.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, renameSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

export class EggStore {
  readonly #dir: string;

  constructor(dir: string) {
    this.#dir = dir;
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  }

  pathOf(digest: string): string {
    return join(this.#dir, digest.slice(0, 2), `${digest}.egg`);
  }

  has(digest: string): boolean {
    return existsSync(this.pathOf(digest));
  }

  /** Stores the bytes (atomically: temp file then rename) and returns their digest. */
  put(bytes: Buffer): { digest: string; size: number } {
    const digest = createHash('sha256').update(bytes).digest('hex');
    const target = this.pathOf(digest);
    if (!existsSync(target)) {
      mkdirSync(join(this.#dir, digest.slice(0, 2)), { recursive: true, mode: 0o700 });
      const tmp = `${target}.${randomBytes(6).toString('hex')}.tmp`;
      writeFileSync(tmp, bytes, { flush: true, mode: 0o600 });
      renameSync(tmp, target);
    }
    return { digest, size: bytes.length };
  }

  remove(digest: string): void {
    rmSync(this.pathOf(digest), { force: true });
  }
}
