/**
 * One virtualenv per (project, requirements set): reused by every job and every version of the project whose
 * requirements are the same, never built per job. Requirement-free venvs are created `--without-pip` (32 ms
 * instead of seconds); with requirements, pip installs them using the configured index or offline wheelhouse.
 * A venv is only used once its `.scrapyard-ready` marker exists; a failed build is removed. Requirements come
 * from uploaded eggs: pip options and (unless allowed) direct references are refused before anything runs, and
 * with a crawl identity the venv is built by that user (pip runs setup.py code of sdists).
 */
import { errorWithCode } from '@scrapyard/protocol';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnIdentity, type CrawlIdentity } from './crawl-identity.js';
import { execFileCapture } from './exec.js';
import { idleMs, markUsed } from './last-use.js';
import { makeOwnedDir, removeTree } from './private-layout.js';
import { refusedRequirement } from './requirements.js';
import { crawlProcessEnv, type CrawlBaseEnv } from './safe-env.js';

export interface VenvOptions {
  python: string;
  systemSitePackages: boolean;
  pipIndexUrl: string;
  pipFindLinks: string[];
  pipNoIndex: boolean;
  /** Allow direct URL / VCS / path requirements (`pipAllowDirectUrls`). */
  allowDirectUrls: boolean;
  /** The allowlisted environment crawl code may see (safe-env.ts): pip runs eggs' setup.py. */
  env: CrawlBaseEnv;
  /** Who builds venvs (the crawl user), or null for the agent's own user. */
  identity: CrawlIdentity | null;
}

export class VenvError extends errorWithCode('VENV_FAILED') {}

const CREATE_TIMEOUT_MS = 5 * 60_000;
/** Written once a venv is complete; only then is it used. */
const READY = '.scrapyard-ready';
const PIP_TIMEOUT_MS = 30 * 60_000;
const tail = (s: string, n = 4000) => (s.length > n ? `…${s.slice(-n)}` : s);

export class VenvManager {
  readonly #dir: string;
  readonly #inflight = new Map<string, Promise<string>>();

  constructor(
    dir: string,
    private readonly opts: VenvOptions,
  ) {
    this.#dir = dir;
    mkdirSync(dir, { recursive: true });
  }

  /** Directory name for a project's requirement set. */
  keyOf(project: string, requirements: readonly string[]): string {
    const h = createHash('sha256')
      .update(JSON.stringify([this.opts.python, this.opts.systemSitePackages, [...requirements].sort()]))
      .digest('hex')
      .slice(0, 16);
    return `${project}-${h}`;
  }

  /** Path of the venv's python, building the venv first if needed. */
  ensure(project: string, requirements: readonly string[]): Promise<string> {
    const key = this.keyOf(project, requirements);
    const dir = join(this.#dir, key);
    const python = join(dir, 'bin', 'python');
    const refused = refusedRequirement(requirements, { allowDirectUrls: this.opts.allowDirectUrls });
    if (refused) return Promise.reject(new VenvError(refused));
    // The ready marker's mtime is the venv's last use.
    if (markUsed(join(dir, READY))) return Promise.resolve(python);
    let p = this.#inflight.get(key);
    if (!p) {
      p = this.#build(dir, python, requirements).finally(() => this.#inflight.delete(key));
      this.#inflight.set(key, p);
    }
    return p;
  }

  async #build(dir: string, python: string, requirements: readonly string[]): Promise<string> {
    const id = this.opts.identity;
    const as = { env: crawlProcessEnv(this.opts.env, { identity: id }), ...spawnIdentity(id) };
    // Debian's pip is visible through system site-packages and installs into the venv, so a pip-less venv
    // suffices there; an isolated venv needs its own pip (ensurepip, offline) to install requirements.
    const needsOwnPip = requirements.length > 0 && !this.opts.systemSitePackages;
    const args = [
      '-m',
      'venv',
      ...(this.opts.systemSitePackages ? ['--system-site-packages'] : []),
      ...(needsOwnPip ? [] : ['--without-pip']),
      dir,
    ];
    try {
      removeTree(dir);
      makeOwnedDir(dir, this.opts.identity);
      const created = await execFileCapture(this.opts.python, args, { ...as, timeoutMs: CREATE_TIMEOUT_MS });
      if (created.code !== 0) throw new VenvError(`creating venv failed: ${tail(created.stderr || created.stdout)}`);
      if (requirements.length > 0) await this.#install(python, requirements, as);
      // Exclusive create: in a dir the crawl user owns, a planted link must not make us write through it.
      writeFileSync(join(dir, READY), JSON.stringify({ requirements }), { flag: 'wx' });
      return python;
    } catch (e) {
      try {
        removeTree(dir);
      } catch {
        // the next build of this key starts by removing it again
      }
      throw e instanceof VenvError ? e : new VenvError(`creating venv failed: ${(e as Error).message}`);
    }
  }

  async #install(
    python: string,
    requirements: readonly string[],
    as: { env: NodeJS.ProcessEnv; uid?: number; gid?: number },
  ): Promise<void> {
    const o = this.opts;
    const args = [
      '-m',
      'pip',
      'install',
      '--no-input',
      '--disable-pip-version-check',
      ...(o.pipIndexUrl ? ['--index-url', o.pipIndexUrl] : []),
      ...o.pipFindLinks.flatMap((f) => ['--find-links', f]),
      ...(o.pipNoIndex ? ['--no-index'] : []),
      ...requirements,
    ];
    const env = crawlProcessEnv(this.opts.env, { identity: this.opts.identity, python });
    const r = await execFileCapture(python, args, { ...as, env, timeoutMs: PIP_TIMEOUT_MS });
    if (r.code !== 0) {
      throw new VenvError(`pip install ${requirements.join(' ')} failed: ${tail(r.stderr || r.stdout)}`);
    }
  }

  /**
   * Deletes venvs not used for `maxAgeMs` (marker mtime), except those whose keys are `inUse` (live runs) or
   * being built. Half-built venvs (no marker) older than that are removed too. Returns the removed keys.
   */
  collect(maxAgeMs: number, inUse: ReadonlySet<string>, now = Date.now()): string[] {
    const removed: string[] = [];
    for (const key of readdirSync(this.#dir)) {
      if (inUse.has(key) || this.#inflight.has(key)) continue;
      const dir = join(this.#dir, key);
      const idle = idleMs(join(dir, READY), now) ?? idleMs(dir, now);
      if (idle === null || idle < maxAgeMs) continue;
      try {
        removeTree(dir);
      } catch {
        continue; // e.g. the crawl user was removed meanwhile: left for the admin, tried again next sweep
      }
      removed.push(key);
    }
    return removed;
  }
}
