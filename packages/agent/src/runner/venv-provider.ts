/**
 * The venv manager, made on first use: finding the interpreter takes a moment (it probes candidates), and a
 * failed probe is retried next time (the admin may have installed Python meanwhile).
 */
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { AgentConfig } from '../config.js';
import type { CrawlIdentity } from './crawl-identity.js';
import { findPython } from './python.js';
import type { CrawlBaseEnv } from './safe-env.js';
import { VenvManager } from './venv.js';

export type VenvsReady = () => Promise<VenvManager>;

export function venvProvider(
  config: AgentConfig,
  o: { env: CrawlBaseEnv; identity: CrawlIdentity | null; log: Logger },
): VenvsReady {
  let venvs: Promise<VenvManager> | undefined;
  return () =>
    (venvs ??= findPython(config.python).then((python) => {
      o.log.info({ python }, 'using python interpreter');
      return new VenvManager(join(config.dataDir, 'venvs'), {
        python,
        systemSitePackages: config.systemSitePackages,
        pipIndexUrl: config.pipIndexUrl,
        pipFindLinks: config.pipFindLinks,
        pipNoIndex: config.pipNoIndex,
        allowDirectUrls: config.pipAllowDirectUrls,
        env: o.env,
        identity: o.identity,
      });
    })).catch((e: unknown) => {
      venvs = undefined;
      throw e;
    });
}
