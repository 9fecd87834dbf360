// Builds the fixture projects' eggs the way scrapyd-deploy does (`setup.py bdist_egg`), cached by
// fixture content so the many test files that need an egg don't each pay ~1 s per build.
import { mkdtemp, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { copySources, ensureCacheDir, FIXTURES_DIR, hashTree, PYTHON, runOffline } from './python.js';

export type FixtureProject = 'demo' | 'withreq' | 'broken';

// Within one process, concurrent callers share a single build.
const inProcess = new Map<FixtureProject, Promise<Buffer>>();

export function buildEgg(projectName: FixtureProject): Promise<Buffer> {
  let egg = inProcess.get(projectName);
  if (!egg) {
    egg = build(projectName);
    inProcess.set(projectName, egg);
    egg.catch(() => inProcess.delete(projectName)); // let a later call retry
  }
  return egg;
}

async function build(projectName: FixtureProject): Promise<Buffer> {
  const source = join(FIXTURES_DIR, 'projects', projectName);
  const cache = await ensureCacheDir();
  const cached = join(cache, `egg-${projectName}-${await hashTree(source)}.egg`);
  try {
    return await readFile(cached);
  } catch {
    // not built yet
  }
  // The work dir sits inside the cache dir so the final rename stays on one filesystem (atomic):
  // a concurrent test process either sees no file or a complete one, never a partial write.
  const work = await mkdtemp(join(cache, `build-${projectName}-`));
  try {
    await copySources(source, join(work, 'src'));
    await runOffline(PYTHON, ['setup.py', '-q', 'bdist_egg', '-d', join(work, 'out')], join(work, 'src'));
    const eggs = (await readdir(join(work, 'out'))).filter((f) => f.endsWith('.egg'));
    const [built] = eggs;
    if (eggs.length !== 1 || built === undefined) throw new Error(`expected one egg, got ${eggs.join(', ')}`);
    // Two processes may both build; each rename is atomic and either egg is equivalent.
    await rename(join(work, 'out', built), cached);
    return await readFile(cached);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
