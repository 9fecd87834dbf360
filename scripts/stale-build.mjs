// Whether the built daemons (each package's dist/) are older than their sources: the e2e tests run dist/, so a
// source changed since the last `pnpm build` would be tested as it was before the change, and pass or fail for
// code that is not there. scripts/test.mjs refuses such a run (SCRAPYARD_TEST_FROM_SOURCE=1 runs the sources).
//
// A package is stale when the newest of the files its build reads (src/**/*.ts except tests, its tsconfig.json,
// the repository's tsconfig.base.json) is newer than dist/.tsbuildinfo, which `tsc -b` writes or touches on every
// build that finds the package out of date (a touched but unchanged file included).
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Compiled by the build (the packages' tsconfig.json exclude tests and test support). */
const compiled = (name) => /\.tsx?$/.test(name) && !name.endsWith('.test.ts') && !name.endsWith('.test-support.ts');

const mtimeOf = (path) => {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return null;
  }
};

/** The newest input of a package's build: `{ path, mtimeMs }`, or null when it has none. */
export function newestSource(root, pkgDir) {
  let newest = null;
  const consider = (path) => {
    const mtimeMs = mtimeOf(path);
    if (mtimeMs !== null && (newest === null || mtimeMs > newest.mtimeMs))
      newest = { path: relative(root, path), mtimeMs };
  };
  for (const name of readdirSync(join(pkgDir, 'src'), { recursive: true })) {
    if (compiled(String(name))) consider(join(pkgDir, 'src', String(name)));
  }
  consider(join(pkgDir, 'tsconfig.json'));
  consider(join(root, 'tsconfig.base.json'));
  return newest;
}

/**
 * Why a package's build is stale, or null when it is not (pure). `builtAt`: the mtime of its dist/.tsbuildinfo,
 * null when there is none; `newest`: the newest input of its build (newestSource).
 */
export function staleReason({ name, newest, builtAt }) {
  if (builtAt === null) return `${name}: never built (no dist/.tsbuildinfo)`;
  if (newest !== null && newest.mtimeMs > builtAt) {
    const iso = (ms) => new Date(ms).toISOString();
    return `${name}: ${newest.path} changed at ${iso(newest.mtimeMs)}, after its last build at ${iso(builtAt)}`;
  }
  return null;
}

/** The reasons why the packages under `<root>/packages` (those with a src/ and a tsconfig.json) are stale. */
export function staleBuilds(root) {
  const packages = join(root, 'packages');
  return readdirSync(packages)
    .filter(
      (name) =>
        mtimeOf(join(packages, name, 'src')) !== null && mtimeOf(join(packages, name, 'tsconfig.json')) !== null,
    )
    .map((name) => {
      const dir = join(packages, name);
      return staleReason({
        name: `packages/${name}`,
        newest: newestSource(root, dir),
        builtAt: mtimeOf(join(dir, 'dist', '.tsbuildinfo')),
      });
    })
    .filter((reason) => reason !== null);
}
