/** `scrapy list` for a version, on the master's request (deploy checks and listspiders.json). */
import type { SpiderListReply, SpiderListRequest } from '@scrapyard/protocol';
import { projectVars } from './crawl-command.js';
import { spawnIdentity, type CrawlIdentity } from './crawl-identity.js';
import type { EggCache } from './egg-cache.js';
import { execFileCapture } from './exec.js';
import { crawlProcessEnv, type CrawlBaseEnv } from './safe-env.js';
import type { VenvsReady } from './venv-provider.js';

const LIST_TIMEOUT_MS = 5 * 60_000;

export interface SpiderListerDeps {
  eggs: EggCache;
  venvsReady: VenvsReady;
  runnerScript: string;
  /** Working directory of `scrapy list` (nothing is written there). */
  workDir: string;
  /** The allowlisted environment crawl code may see (safe-env.ts). */
  env: CrawlBaseEnv;
  identity: CrawlIdentity | null;
}

export function spiderLister(d: SpiderListerDeps): (req: SpiderListRequest) => Promise<SpiderListReply> {
  return async (req) => {
    try {
      const [egg, python] = await Promise.all([
        req.eggDigest === null ? null : d.eggs.get(req.eggDigest),
        d.venvsReady().then((v) => v.ensure(req.project, req.requirements)),
      ]);
      const env = crawlProcessEnv(d.env, {
        identity: d.identity,
        python,
        vars: { SCRAPY_PROJECT: req.project, PYTHONIOENCODING: 'UTF-8', ...projectVars(egg, req.settingsModule) },
      });
      const r = await execFileCapture(python, [d.runnerScript, 'list', '-s', 'LOG_STDOUT=0'], {
        cwd: d.workDir,
        env,
        ...spawnIdentity(d.identity),
        timeoutMs: LIST_TIMEOUT_MS,
      });
      if (r.code !== 0) {
        return {
          ok: false,
          error: (r.stderr || r.stdout || `scrapy list exited with ${r.code ?? r.signal}`).trimEnd(),
        };
      }
      return { ok: true, spiders: r.stdout.split(/\r?\n/).filter((s) => s.trim() !== '') };
    } catch (e) {
      return { ok: false, error: (e as Error).message };
    }
  };
}
