/**
 * Finds the Python interpreter for venvs. The `python3` first on PATH may not be the one that has Scrapy (on
 * Debian, python3-scrapy lives under /usr/bin/python3), so without an explicit choice we probe candidates.
 */
import { errorWithCode } from '@scrapyard/protocol';
import { execFileCapture } from './exec.js';

const CANDIDATES = ['/usr/bin/python3', 'python3', 'python'];

export class PythonNotFoundError extends errorWithCode('PYTHON_NOT_FOUND') {}

async function importsScrapy(python: string): Promise<boolean> {
  try {
    const r = await execFileCapture(python, ['-c', 'import scrapy'], { timeoutMs: 30_000 });
    return r.code === 0;
  } catch {
    return false;
  }
}

/** The configured interpreter, or the first candidate that can import scrapy. */
export async function findPython(configured: string): Promise<string> {
  if (configured !== '') {
    try {
      await execFileCapture(configured, ['-c', 'pass'], { timeoutMs: 30_000 });
    } catch (e) {
      throw new PythonNotFoundError(`python interpreter "${configured}" cannot be run: ${(e as Error).message}`);
    }
    return configured;
  }
  for (const c of CANDIDATES) if (await importsScrapy(c)) return c;
  throw new PythonNotFoundError(
    `no Python interpreter with Scrapy found (tried ${CANDIDATES.join(', ')}): install Scrapy ` +
      '(e.g. apt-get install python3-scrapy) or set the python option',
  );
}
