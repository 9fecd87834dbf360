/**
 * scripts/test.mjs refuses an e2e run against a dist/ older than its sources (scripts/stale-build.mjs): the
 * comparison, on a package layout of its own in a temp dir.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync, utimesSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { staleBuilds, staleReason } from '../../scripts/stale-build.mjs';
import { tempDir } from '../helpers/processes.js';

/** Writes a file with the given mtime (seconds from the epoch). */
function file(path: string, mtime: number): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, '');
  utimesSync(path, mtime, mtime);
}

void test('a source newer than its package’s build info is stale; tests and other packages are not', (t) => {
  const root = tempDir(t);
  const T = 1_700_000_000;
  file(join(root, 'tsconfig.base.json'), T);
  for (const name of ['protocol', 'master']) {
    file(join(root, 'packages', name, 'tsconfig.json'), T);
    file(join(root, 'packages', name, 'src', 'index.ts'), T);
    file(join(root, 'packages', name, 'src', 'jobs', 'run-limits.ts'), T + 1);
    file(join(root, 'packages', name, 'dist', '.tsbuildinfo'), T + 10);
  }
  mkdirSync(join(root, 'packages', 'not-a-package')); // no src/, no tsconfig.json: ignored
  assert.deepEqual(staleBuilds(root), [], 'built after every source');

  // Tests and their support are not part of the build.
  file(join(root, 'packages', 'master', 'src', 'jobs', 'run-limits.test.ts'), T + 20);
  file(join(root, 'packages', 'master', 'src', 'db', 'stores.test-support.ts'), T + 20);
  assert.deepEqual(staleBuilds(root), []);

  // A source changed after the build, at any depth.
  file(join(root, 'packages', 'master', 'src', 'jobs', 'run-limits.ts'), T + 11);
  assert.deepEqual(staleBuilds(root), [
    `packages/master: packages/master/src/jobs/run-limits.ts changed at ${new Date((T + 11) * 1000).toISOString()}, ` +
      `after its last build at ${new Date((T + 10) * 1000).toISOString()}`,
  ]);
  // Rebuilt (tsc -b touches the build info): fresh again.
  file(join(root, 'packages', 'master', 'dist', '.tsbuildinfo'), T + 12);
  assert.deepEqual(staleBuilds(root), []);

  // The compiler settings are inputs too: the package's own, and the shared base (every package).
  file(join(root, 'packages', 'protocol', 'tsconfig.json'), T + 30);
  assert.deepEqual(
    staleBuilds(root).map((r) => r.split(':')[0]),
    ['packages/protocol'],
  );
  file(join(root, 'tsconfig.base.json'), T + 40);
  assert.match(
    staleBuilds(root).join('\n'),
    /^packages\/master: tsconfig\.base\.json changed at .*\npackages\/protocol: /,
  );
});

void test('a package never built is stale; one built at the same instant as its newest source is not', () => {
  assert.equal(
    staleReason({ name: 'packages/agent', newest: { path: 'packages/agent/src/a.ts', mtimeMs: 5 }, builtAt: null }),
    'packages/agent: never built (no dist/.tsbuildinfo)',
  );
  assert.equal(staleReason({ name: 'p', newest: { path: 'p/src/a.ts', mtimeMs: 5 }, builtAt: 5 }), null);
  assert.match(
    staleReason({ name: 'p', newest: { path: 'p/src/a.ts', mtimeMs: 6 }, builtAt: 5 }) ?? '',
    /^p: p\/src\/a\.ts changed/,
  );
  assert.equal(staleReason({ name: 'p', newest: null, builtAt: 5 }), null);
});
