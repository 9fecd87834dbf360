/**
 * Where the master finds its configuration when no --config is given: Scrapyd's own search list, so a host
 * running Scrapyd switches over without writing a new file (docs/scrapyd-api.md §5). In order, later winning:
 * `/etc/scrapyd/scrapyd.conf`, `/etc/scrapyd/conf.d/*` (sorted), `./scrapyd.conf`, `~/.scrapyd.conf`, and the
 * closest `scrapy.cfg` from the working directory up. (Scrapyd's `c:\scrapyd\scrapyd.conf` has no meaning here.)
 *
 * `SCRAPYARD_CONFIG_SEARCH` replaces the list (tests, unusual layouts): paths separated by `:`, `~/` for the home
 * directory, relative to the working directory, and a `*` in the last component to read a directory's entries in
 * sorted order. Empty: read no file.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

export interface SearchContext {
  cwd: string;
  home: string;
  /** Scrapyd's system directory; a parameter so tests can point it elsewhere. */
  etcDir?: string;
}

/** Scrapyd's list as patterns (see `expand`). */
export function scrapydSearchList(ctx: SearchContext): string[] {
  const etc = ctx.etcDir ?? '/etc/scrapyd';
  const list = [join(etc, 'scrapyd.conf'), join(etc, 'conf.d', '*'), resolve(ctx.cwd, 'scrapyd.conf')];
  list.push(join(ctx.home, '.scrapyd.conf'));
  const cfg = closestScrapyCfg(ctx.cwd);
  if (cfg !== null) list.push(cfg);
  return list;
}

/** Scrapy's closest_scrapy_cfg: the first `scrapy.cfg` from `dir` up to the root. */
export function closestScrapyCfg(dir: string): string | null {
  for (let d = resolve(dir); ; d = dirname(d)) {
    const f = join(d, 'scrapy.cfg');
    if (existsSync(f)) return f;
    if (dirname(d) === d) return null;
  }
}

/** The configuration files to read, in order: the existing regular files the patterns name. */
export function discoverConfigFiles(env: NodeJS.ProcessEnv, ctx: SearchContext): string[] {
  const override = env.SCRAPYARD_CONFIG_SEARCH;
  const patterns =
    override === undefined
      ? scrapydSearchList(ctx)
      : override
          .split(':')
          .filter((p) => p !== '')
          .map((p) => (p === '~' || p.startsWith('~/') ? join(ctx.home, p.slice(1)) : resolve(ctx.cwd, p)));
  return patterns.flatMap(expand);
}

/** A path, or a directory's entries matching a last component with `*` (no dotfiles, code-point order, as glob). */
function expand(pattern: string): string[] {
  const last = basename(pattern);
  if (!last.includes('*')) return isFile(pattern) ? [pattern] : [];
  const dir = dirname(pattern);
  const re = new RegExp(`^${last.split('*').map(escapeRe).join('.*')}$`);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((n) => !n.startsWith('.') && re.test(n))
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((n) => join(dir, n))
    .filter(isFile);
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
