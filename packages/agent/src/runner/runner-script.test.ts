// Runs the real Python runner against real eggs: the contract with the agent is argv, env and
// exit status, so this is tested end to end rather than by mocking Scrapy.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildEgg } from '../../../../test/helpers/eggs.js';
import { DEMO_SPIDERS } from '../../../../test/helpers/jobs.js';
import { PYTHON } from '../../../../test/helpers/python.js';

const RUNNER = fileURLToPath(new URL('../../python/scrapyard_runner.py', import.meta.url));

// A cwd without scrapy.cfg, so only the egg can tell Scrapy which project it is.
const work = await mkdtemp(join(tmpdir(), 'scrapyard-runner-test-'));
after(() => rm(work, { recursive: true, force: true }));

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

async function eggFile(name: string, contents: Buffer | string): Promise<string> {
  const path = join(work, name);
  await writeFile(path, contents);
  return path;
}

function runRunner(eggPath: string, project: string, args: string[]): Promise<Result> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    SCRAPYARD_EGG_PATH: eggPath,
    SCRAPY_PROJECT: project,
    PYTHONIOENCODING: 'UTF-8',
  };
  delete env.SCRAPY_SETTINGS_MODULE; // would take priority over the egg's entry point
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, [RUNNER, ...args], { cwd: work, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

void test('list prints the egg project spiders, sorted', { timeout: 60_000 }, async () => {
  const egg = await eggFile('demo.egg', await buildEgg('demo'));
  const res = await runRunner(egg, 'demo', ['list', '-s', 'LOG_STDOUT=0']);
  assert.equal(res.code, 0, res.stderr);
  assert.deepEqual(res.stdout.split('\n').filter(Boolean), DEMO_SPIDERS);
});

void test('crawl passes spider args, settings and _job; package data is readable', { timeout: 60_000 }, async () => {
  const egg = await eggFile('demo.egg', await buildEgg('demo'));
  const items = join(work, 'quick.jl');
  const feeds = JSON.stringify({ [pathToFileURL(items).href]: { format: 'jsonlines' } });
  const res = await runRunner(egg, 'demo', [
    'crawl',
    'quick',
    '-a',
    'arg=hello',
    '-s',
    'DEMO_SETTING=x',
    '-s',
    `FEEDS=${feeds}`,
    '-a',
    '_job=abc',
  ]);
  assert.equal(res.code, 0, res.stderr);
  const lines = (await readFile(items, 'utf8')).split('\n').filter(Boolean);
  assert.equal(lines.length, 3);
  lines.forEach((line, n) => assert.deepEqual(JSON.parse(line), { n, arg: 'hello', setting: 'x', job: 'abc' }));
  assert.match(res.stderr, /QUICK_DATA demo-data-ok/); // pkgutil.get_data through zipimport
  assert.match(res.stderr, /QUICK_DONE/);
});

void test('a spider failing in __init__ makes crawl exit non-zero', { timeout: 60_000 }, async () => {
  const egg = await eggFile('demo.egg', await buildEgg('demo'));
  const res = await runRunner(egg, 'demo', ['crawl', 'crash']);
  assert.notEqual(res.code, 0);
  assert.match(res.stderr, /CRASH_ON_PURPOSE/);
});

void test('a non-zip egg is a BadEggError with exit code 2', { timeout: 60_000 }, async () => {
  const res = await runRunner(await eggFile('notzip.egg', 'not a zip'), 'demo', ['list']);
  assert.equal(res.code, 2);
  assert.ok(res.stderr.startsWith('BadEggError: '), res.stderr);
});

void test('an egg without a scrapy settings entry point is a BadEggError', { timeout: 60_000 }, async () => {
  // Smallest valid zip: just the end-of-central-directory record.
  const emptyZip = Buffer.from([0x50, 0x4b, 0x05, 0x06, ...new Array<number>(18).fill(0)]);
  const res = await runRunner(await eggFile('empty.egg', emptyZip), 'demo', ['list']);
  assert.equal(res.code, 2);
  assert.ok(res.stderr.startsWith('BadEggError: '), res.stderr);
});

void test('list fails with a traceback when spider modules cannot be imported', { timeout: 60_000 }, async () => {
  const egg = await eggFile('broken.egg', await buildEgg('broken'));
  const res = await runRunner(egg, 'broken', ['list', '-s', 'LOG_STDOUT=0']);
  assert.notEqual(res.code, 0);
  assert.match(res.stderr, /Traceback/);
  assert.match(res.stderr, /does_not_exist_module/);
});
