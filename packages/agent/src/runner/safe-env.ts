/**
 * The one builder of the environment that crawl-controlled code runs with: crawls, `scrapy list` and venv builds
 * (pip runs eggs' setup.py). All of it executes code from uploaded eggs, so it must not see the daemons' own
 * environment: the master's database URL (with its password), PGPASSWORD, SCRAPYD_PASSWORD, systemd's
 * CREDENTIALS_DIRECTORY and whatever a deployment adds next. Hence an ALLOWLIST, never the daemon's environment
 * minus a denylist (a denylist of name fragments let PGPASSWORD and DATABASE_URL through).
 *
 * What passes from the daemon's environment, and why (docs/security.md):
 *   PATH                      finding executables a crawl runs (the venv's bin/ is put first, below)
 *   HOME, USER, LOGNAME       pip's cache, ~/.netrc, getpass; replaced by the crawl user's own under crawl_user
 *   LANG, LANGUAGE, LC_*      locale: the encoding Python uses for files and stdio
 *   TZ                        the time zone of timestamps crawl code formats
 *   TMPDIR                    where tempfile puts temporary files
 *   PYTHONPATH                egg-less [settings] projects are imported from the daemon's Python path (Scrapyd)
 *   PYTHONUTF8, PYTHONIOENCODING, PYTHONDONTWRITEBYTECODE, PYTHONWARNINGS   how Python runs, no credentials
 *   http(s)_proxy, all_proxy, no_proxy (either case)   egress: Scrapy's HttpProxyMiddleware and pip read them,
 *                             and crawls are the processes on this host that reach the web through the proxy
 *   SSL_CERT_FILE, SSL_CERT_DIR   a private CA bundle for that egress (paths, not secrets)
 * plus the variables the user lists in `crawl_env_passthrough` (names, or prefixes ending in `*`), on purpose.
 * Everything else a crawl sees is set per run by the agent (crawl-command.ts): SCRAPY_PROJECT, SCRAPYD_JOB,
 * SCRAPYD_EGG_VERSION, SCRAPY_SETTINGS_MODULE and the runner's own SCRAPYARD_EGG_PATH / _EXIT_FILE / _STATS_*
 * (paths of this run's files and the fd of its stats token, no secrets), VIRTUAL_ENV for the venv, and
 * HOME/USER/LOGNAME of the crawl user.
 */
import { dirname, join } from 'node:path';
import type { CrawlIdentity } from './crawl-identity.js';

const ALLOWED_NAMES = new Set([
  'PATH',
  'HOME',
  'USER',
  'LOGNAME',
  'LANG',
  'LANGUAGE',
  'TZ',
  'TMPDIR',
  'PYTHONPATH',
  'PYTHONUTF8',
  'PYTHONIOENCODING',
  'PYTHONDONTWRITEBYTECODE',
  'PYTHONWARNINGS',
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
]);
const PROXY_NAMES = new Set(['HTTP_PROXY', 'HTTPS_PROXY', 'ALL_PROXY', 'NO_PROXY']);

/** Whether a variable of the daemon's environment passes to crawl code without being listed. */
export function isAllowedByDefault(name: string): boolean {
  return ALLOWED_NAMES.has(name) || name.startsWith('LC_') || PROXY_NAMES.has(name.toUpperCase());
}

function listed(name: string, passthrough: readonly string[]): boolean {
  return passthrough.some((p) => (p.endsWith('*') ? name.startsWith(p.slice(0, -1)) : name === p));
}

declare const crawlBase: unique symbol;
/**
 * The part of the daemon's environment crawl code may see; the only input spawns of crawl code accept (the brand
 * makes passing `process.env` itself a type error).
 */
export type CrawlBaseEnv = Readonly<Record<string, string>> & { readonly [crawlBase]: true };

/** The allowlisted part of the daemon's environment, plus the names the user passes through on purpose. */
export function crawlBaseEnv(daemonEnv: NodeJS.ProcessEnv, passthrough: readonly string[] = []): CrawlBaseEnv {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(daemonEnv)) {
    if (v !== undefined && (isAllowedByDefault(k) || listed(k, passthrough))) out[k] = v;
  }
  return out as CrawlBaseEnv;
}

/**
 * The environment of one spawn of crawl code: the base, the crawl user's HOME/USER/LOGNAME, the venv first on PATH
 * (`python` is the venv's interpreter; its parent's parent is the venv), and the agent's per-run variables.
 */
export function crawlProcessEnv(
  base: CrawlBaseEnv,
  o: { identity: CrawlIdentity | null; python?: string; vars?: Record<string, string | undefined> },
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base };
  if (o.identity) Object.assign(env, { HOME: o.identity.home, USER: o.identity.user, LOGNAME: o.identity.user });
  if (o.python !== undefined) {
    const venv = dirname(dirname(o.python));
    env.VIRTUAL_ENV = venv;
    env.PATH = base.PATH ? `${join(venv, 'bin')}:${base.PATH}` : join(venv, 'bin');
  }
  for (const [k, v] of Object.entries(o.vars ?? {})) if (v !== undefined) env[k] = v;
  return env;
}
