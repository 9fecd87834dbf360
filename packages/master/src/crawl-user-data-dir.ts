/**
 * With `crawl_user`, the embedded agent's crawls run as another OS user, and they must be able to traverse the
 * master's data dir (the agent's own lives inside it) without reading what the master keeps there: its database
 * (node stored keys are enough to pose as this master to its agents), eggs, and every job's logs and items (served
 * over HTTP, behind its authentication). Applied at start-up, before the embedded agent starts.
 */
import { chmodSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { MasterConfig } from './config.js';

export function restrictMasterDataDir(config: MasterConfig): void {
  const dir = config.dataDir;
  chmodSync(dir, 0o711);
  const db = join(dir, 'master.sqlite');
  for (const f of [db, `${db}-wal`, `${db}-shm`]) if (existsSync(f)) chmodSync(f, 0o600);
  const inside = (p: string) => p !== '' && resolve(p).startsWith(`${resolve(dir)}/`);
  for (const d of [join(dir, 'eggs'), config.logsDir, config.itemsDir]) {
    if (inside(d) && existsSync(d)) chmodSync(d, 0o700);
  }
}
