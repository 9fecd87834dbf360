// Shared plumbing for tests that run Python: which interpreter, where fixtures live, and a
// content-addressed cache so build products (eggs, wheels) are made once per fixture revision
// and shared by concurrently running test processes.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cp, mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

// Debian's python3 has Scrapy; the pyenv python3 first on PATH does not, hence the absolute path.
export const PYTHON = process.env.SCRAPYARD_TEST_PYTHON ?? '/usr/bin/python3';

export const FIXTURES_DIR = fileURLToPath(new URL('../fixtures/', import.meta.url));
export const CACHE_DIR = join(tmpdir(), 'scrapyard-test-cache');

// Build byproducts that must neither change the cache key nor be copied into a build.
function isGenerated(name: string): boolean {
  return (
    name === '__pycache__' || name === 'build' || name === 'dist' || name.endsWith('.egg-info') || name.endsWith('.pyc')
  );
}

/** Hash of every source file under `dir` (paths + contents) plus the interpreter, hex. */
export async function hashTree(dir: string): Promise<string> {
  const names = (await readdir(dir, { recursive: true })).filter((f) => !f.split(sep).some(isGenerated)).sort();
  const hash = createHash('sha256').update(`python=${PYTHON}\0`);
  for (const name of names) {
    const file = join(dir, name);
    if (!(await stat(file)).isFile()) continue;
    hash
      .update(`${name.split(sep).join('/')}\0`)
      .update(await readFile(file))
      .update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

/** Copy a fixture without byproducts, so builds never write into the repository. */
export async function copySources(src: string, dest: string): Promise<void> {
  await cp(src, dest, { recursive: true, filter: (from) => !isGenerated(basename(from)) });
}

export async function ensureCacheDir(): Promise<string> {
  await mkdir(CACHE_DIR, { recursive: true });
  return CACHE_DIR;
}

/** Run a build step offline (argument array, no shell); rejects with its output on failure. */
export function runOffline(file: string, args: string[], cwd: string): Promise<void> {
  const env = {
    ...process.env,
    PIP_NO_INDEX: '1',
    PIP_DISABLE_PIP_VERSION_CHECK: '1',
    PYTHONDONTWRITEBYTECODE: '1',
  };
  return new Promise((resolve, reject) => {
    execFile(file, args, { cwd, env, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${file} ${args.join(' ')} failed in ${cwd}: ${err.message}\n${stdout}\n${stderr}`));
      else resolve();
    });
  });
}
