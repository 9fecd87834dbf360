// Builds a local wheelhouse holding scrapyard-testdep 1.0, so tests can exercise requirement
// installation (`pip install --no-index --find-links <dir>`) without PyPI or internet.
// Needs Debian's python3-pip and python3-wheel (setuptools < 70.1 needs `wheel` to build wheels).
import { mkdtemp, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { copySources, ensureCacheDir, FIXTURES_DIR, hashTree, PYTHON, runOffline } from './python.js';

let inProcess: Promise<string> | undefined;

export function buildTestdepWheelhouse(): Promise<string> {
  inProcess ??= build().catch((err: unknown) => {
    inProcess = undefined; // let a later call retry
    throw err;
  });
  return inProcess;
}

async function hasWheel(dir: string): Promise<boolean> {
  try {
    return (await readdir(dir)).some((f) => f.endsWith('.whl'));
  } catch {
    return false;
  }
}

async function build(): Promise<string> {
  const source = join(FIXTURES_DIR, 'packages', 'scrapyard-testdep');
  const cache = await ensureCacheDir();
  const wheelhouse = join(cache, `wheelhouse-${await hashTree(source)}`);
  if (await hasWheel(wheelhouse)) return wheelhouse;

  const work = await mkdtemp(join(cache, 'build-wheelhouse-'));
  try {
    // pip builds in-tree (build/, *.egg-info), so build from a copy, never the fixture itself.
    await copySources(source, join(work, 'src'));
    await runOffline(
      PYTHON,
      [
        '-m',
        'pip',
        'wheel',
        '--no-deps',
        '--no-build-isolation',
        '--no-index',
        '-w',
        join(work, 'out'),
        join(work, 'src'),
      ],
      work,
    );
    try {
      // A directory rename is atomic, so a wheelhouse that exists is complete.
      await rename(join(work, 'out'), wheelhouse);
    } catch (err) {
      // Another process won the race (ENOTEMPTY/EEXIST): its wheelhouse is just as good.
      if (!(await hasWheel(wheelhouse))) throw err;
    }
    return wheelhouse;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
