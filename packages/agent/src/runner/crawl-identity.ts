/**
 * Who crawl code runs as. By default, the agent's own user. With `crawlUser` (the recommended production setup)
 * the agent, running as root, starts crawls, pip and `scrapy list` as that unprivileged user, so code from an
 * uploaded egg can't read the agent's credential or database, other runs' logs and items, or signal the agent.
 * Names are resolved once at start-up through NSS (`getent`), so LDAP and similar users work too.
 */
import { errorWithCode } from '@scrapyard/protocol';
import { spawnSync } from 'node:child_process';

export interface CrawlIdentity {
  user: string;
  uid: number;
  gid: number;
  home: string;
}

export class CrawlIdentityError extends errorWithCode('CRAWL_USER_INVALID') {}

/** One `getent` entry's fields, or null when the database has no such name or id. */
export function getent(database: 'passwd' | 'group', key: string): string[] | null {
  const r = spawnSync('getent', [database, key], { encoding: 'utf8', timeout: 10_000 });
  if (r.error) throw new CrawlIdentityError(`cannot look up ${database} entry "${key}": ${r.error.message}`);
  if (r.status !== 0) return null;
  const line = r.stdout.split('\n')[0] ?? '';
  return line === '' ? null : line.split(':');
}

/** The identity to run crawls as, or null to run them as the agent's own user. */
export function resolveCrawlIdentity(
  user: string,
  group: string,
  o: { uid: number } = { uid: process.getuid?.() ?? -1 },
): CrawlIdentity | null {
  if (user === '') {
    if (group !== '') throw new CrawlIdentityError('crawlGroup is set without crawlUser: set crawlUser too');
    return null;
  }
  if (o.uid !== 0) {
    throw new CrawlIdentityError(
      `crawlUser "${user}" needs the agent to run as root (it switches to that user for each crawl); ` +
        'start the agent as root, or remove crawlUser',
    );
  }
  const pw = getent('passwd', user);
  if (!pw || pw.length < 6) throw new CrawlIdentityError(`crawlUser "${user}": no such user`);
  const uid = Number(pw[2]);
  let gid = Number(pw[3]);
  if (uid === 0) throw new CrawlIdentityError(`crawlUser "${user}" is root: choose an unprivileged user`);
  if (group !== '') {
    const gr = getent('group', group);
    if (!gr || gr.length < 3) throw new CrawlIdentityError(`crawlGroup "${group}": no such group`);
    gid = Number(gr[2]);
  }
  if (gid === 0) throw new CrawlIdentityError(`crawl group of "${user}" is root's group (0): choose another group`);
  if (!Number.isInteger(uid) || !Number.isInteger(gid)) {
    throw new CrawlIdentityError(`crawlUser "${user}": unreadable passwd entry`);
  }
  return { user: pw[0]!, uid, gid, home: pw[5] || '/' };
}

/** spawn() options that run a child as the identity (libuv also drops root's supplementary groups). */
export function spawnIdentity(id: CrawlIdentity | null): { uid?: number; gid?: number } {
  return id ? { uid: id.uid, gid: id.gid } : {};
}

/**
 * Whether the identity can reach (traverse) `dir` and read `file`: the data dir's parents must let it through, or
 * every crawl would fail with a confusing permission error. Checked once at start-up.
 */
export function checkReachable(id: CrawlIdentity, dir: string, file: string): void {
  const r = spawnSync('sh', ['-c', 'test -x "$1" && test -r "$2"', 'sh', dir, file], {
    uid: id.uid,
    gid: id.gid,
    timeout: 10_000,
  });
  if (r.status !== 0) {
    throw new CrawlIdentityError(
      `crawlUser "${id.user}" cannot reach ${dir} or read ${file}: make every parent directory of the data dir ` +
        'traversable (chmod o+x) and the agent installation readable',
    );
  }
}
