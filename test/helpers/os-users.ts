/** Throwaway OS users for crawl_user tests (the suite runs as root, as CI does). */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync } from 'node:fs';
import type { TestContext } from 'node:test';
import { tempDir } from './processes.js';

export interface OsUser {
  name: string;
  uid: number;
  gid: number;
}

/** A system user for this test only (argument arrays, no shell); removed, with its processes, when the test ends. */
export function throwawayUser(t: TestContext): OsUser {
  assert.equal(process.getuid?.(), 0, 'this test creates OS users: run the suite as root (as CI does)');
  const name = `syc${randomBytes(4).toString('hex')}`;
  const made = spawnSync(
    'useradd',
    ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', '--user-group', name],
    {
      encoding: 'utf8',
    },
  );
  assert.equal(made.status, 0, `useradd failed: ${made.stderr}`);
  t.after(() => {
    spawnSync('pkill', ['-9', '-u', name]);
    spawnSync('userdel', ['-f', name]);
    spawnSync('groupdel', [name]);
  });
  const id = (flag: string) => Number(spawnSync('id', [flag, name], { encoding: 'utf8' }).stdout.trim());
  return { name, uid: id('-u'), gid: id('-g') };
}

/** A directory other users may traverse but not list (a data dir for a crawl user lives inside). */
export function traversableDir(t: TestContext): string {
  const dir = tempDir(t);
  chmodSync(dir, 0o711);
  return dir;
}
