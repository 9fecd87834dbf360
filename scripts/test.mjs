#!/usr/bin/env node
// Lists test files (Node 20's runner neither globs nor finds .ts) and runs them with node:test through tsx.
// Usage: node scripts/test.mjs unit|e2e|all [substring filter...]
//
// It fails loudly rather than passing quietly: an unknown kind, a filter that matches no file, a file that looks
// like a test but would never run (`.spec.ts`, `.tset.ts`, `.test.js`, anything in test/e2e not named *.test.ts),
// a run that reports no tests, or any skipped or todo test is an error. A hung test fails (per-test default
// timeout, see test-timeouts.mjs), a hung file fails (per-file timeout), and a hung run is killed (watchdog).
//
// Every e2e file whose masters don't choose their store runs twice, in two runs side by side (E2E_CONCURRENCY files
// at once in each): on SQLite, and (SCRAPYARD_TEST_STORE=postgres) with each master on a PostgreSQL database of its
// own. The closing line sums every run: `total: N passed, N failed`.
//
// The e2e tests run the built daemons: a dist/ older than its sources is refused (build first: `pnpm test` and
// `pnpm test:e2e` do), unless SCRAPYARD_TEST_FROM_SOURCE=1 runs the sources instead (scripts/stale-build.mjs).
//
// PostgreSQL: one throwaway server per run (scripts/pg-server.mjs), its superuser URL in SCRAPYARD_TEST_PG_URL for
// test/helpers/postgres.ts; a SCRAPYARD_TEST_PG_URL already set (your own server) is used instead. If the server
// can't start the run goes on with the reason in SCRAPYARD_TEST_PG_ERROR: the tests that need it fail with it.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startPostgres } from './pg-server.mjs';
import { staleBuilds } from './stale-build.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const KINDS = {
  unit: {
    dirs: ['packages/protocol/src', 'packages/master/src', 'packages/agent/src', 'packages/ui/src'],
    concurrency: 2,
    testTimeoutMs: 60_000,
    fileTimeoutMs: 5 * 60_000,
    runTimeoutMs: 15 * 60_000,
  },
  e2e: {
    dirs: ['test'],
    concurrency: Number(process.env.E2E_CONCURRENCY ?? 2),
    testTimeoutMs: 240_000,
    fileTimeoutMs: 15 * 60_000,
    runTimeoutMs: 60 * 60_000,
  },
};

const [kind = 'all', ...filters] = process.argv.slice(2);
const kinds = kind === 'all' ? ['unit', 'e2e'] : [kind];
if (!kinds.every((k) => k in KINDS)) fail(`unknown kind "${kind}": expected unit, e2e or all`);

function fail(message) {
  console.error(`scripts/test.mjs: ${message}`);
  process.exit(2);
}

function walk(dir) {
  return readdirSync(join(root, dir), { recursive: true, withFileTypes: false })
    .map((f) => join(dir, String(f)))
    .filter((f) => !f.split(/[\\/]/).some((part) => part === 'node_modules' || part === 'dist'));
}

const SOURCE = /\.[cm]?[jt]sx?$/;
/** Damerau–Levenshtein distance ≤ 1 (one insertion, deletion, substitution or swap of neighbours). */
function nearly(a, b) {
  if (a === b) return true;
  if (Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  const tail = (x, y) => a.slice(x) === b.slice(y);
  return (
    tail(i + 1, i + 1) ||
    tail(i + 1, i) ||
    tail(i, i + 1) ||
    (a[i] === b[i + 1] && a[i + 1] === b[i] && tail(i + 2, i + 2))
  );
}

/** Why a file that is not `*.test.ts` looks like a test the runner would silently skip, or null. */
function misnamed(file) {
  if (!SOURCE.test(file) || file.endsWith('.test.ts') || file.endsWith('.d.ts')) return null;
  const parts = basename(file).split('.');
  if (file.startsWith('test/') && !file.startsWith('test/helpers/') && !file.startsWith('test/fixtures/')) {
    return 'test/ holds only *.test.ts (helpers in test/helpers, fixtures in test/fixtures)';
  }
  const marker = parts.length >= 3 ? parts.at(-2).toLowerCase() : '';
  if (marker === 'test') return `the runner picks up *.test.ts only, not *.test.${parts.at(-1)}`;
  if (['spec', 'specs', 'tests', 'e2e'].includes(marker) || (marker && marker !== 'test' && nearly(marker, 'test'))) {
    return `".${marker}." looks like a test file name: name it *.test.ts`;
  }
  return null;
}

const selected = {};
const problems = [];
for (const k of ['unit', 'e2e']) {
  const files = KINDS[k].dirs.flatMap(walk);
  for (const f of files) {
    const why = misnamed(f);
    if (why) problems.push(`${f}: ${why}`);
  }
  selected[k] = files.filter((f) => f.endsWith('.test.ts')).sort();
}
if (problems.length > 0) fail(`test files the runner would never run:\n  ${problems.join('\n  ')}`);

const picked = {};
for (const k of kinds) {
  picked[k] = selected[k].filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)));
}
for (const s of filters) {
  if (!kinds.some((k) => picked[k].some((f) => f.includes(s)))) fail(`filter "${s}" matches no ${kind} test file`);
}
if (filters.length === 0) {
  for (const k of kinds) if (picked[k].length === 0) fail(`no ${k} test files found`);
}

if (picked.e2e?.length > 0 && process.env.SCRAPYARD_TEST_FROM_SOURCE !== '1') {
  const stale = staleBuilds(root);
  if (stale.length > 0) {
    fail(
      `the e2e tests run the built daemons (dist/), which are older than their sources:\n  ${stale.join('\n  ')}\n` +
        'Build first (`pnpm build`; `pnpm test` and `pnpm test:e2e` do), or set SCRAPYARD_TEST_FROM_SOURCE=1 to run the sources.',
    );
  }
}

/** Reads the spec reporter's summary counters (`ℹ tests 12`) from its output, line by line. */
function summaryReader() {
  const counts = {};
  let partial = '';
  return {
    feed(text) {
      const lines = (partial + text).split('\n');
      partial = lines.pop();
      for (const line of lines) {
        const m = /^ℹ (tests|pass|fail|skipped|todo) (\d+)$/.exec(line);
        if (m) counts[m[1]] = Number(m[2]);
      }
    },
    counts: () => ({
      tests: counts.tests ?? NaN,
      pass: counts.pass ?? 0,
      fail: counts.fail ?? 0,
      skipped: counts.skipped ?? 0,
      todo: counts.todo ?? 0,
    }),
  };
}

/** The PostgreSQL server of this run: the environment that points the tests at it, and how to stop it. */
async function postgresForTests() {
  const own = process.env.SCRAPYARD_TEST_PG_URL;
  if (own) {
    const shown = new URL(own);
    if (shown.password) shown.password = '***';
    console.log(`PostgreSQL: SCRAPYARD_TEST_PG_URL from the environment, ${shown.href}`);
    return { env: {}, stop: async () => {} };
  }
  try {
    const server = await startPostgres();
    console.log(`PostgreSQL: throwaway server on ${server.host}:${server.port}, data in ${server.dataDir}`);
    // A stale error from the caller's environment must not contradict the URL.
    return { env: { SCRAPYARD_TEST_PG_URL: server.url, SCRAPYARD_TEST_PG_ERROR: undefined }, stop: server.stop };
  } catch (err) {
    const reason = `could not start a PostgreSQL server: ${err instanceof Error ? err.message : err}`;
    const bar = '!'.repeat(100);
    console.error(
      `${bar}\nscripts/test.mjs: ${reason}\nEvery test that needs PostgreSQL will FAIL with this message.\n${bar}`,
    );
    return { env: { SCRAPYARD_TEST_PG_ERROR: reason }, stop: async () => {} };
  }
}

// A signal ends the run: it goes on to the test processes (they would outlive us), and once they are gone we die of
// it as if we had not listened. pg-server.mjs stops the PostgreSQL server on the signal itself.
let signalled = null;
const children = new Set();
function onSignal(signal) {
  // Twice means don't wait for them.
  for (const child of children) child.kill(signalled ? 'SIGKILL' : signal);
  signalled = signal;
}
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

/** Pass and fail counts of every run, for the closing line. */
const totals = { pass: 0, fail: 0 };

/**
 * Runs test files in one node:test process. Its output streams through, or with `held` is kept and printed whole
 * when it ends (so two runs side by side don't interleave their lines). Resolves to the run's exit status.
 */
function run(k, files, env, label = k, held = false) {
  const cfg = KINDS[k];
  const out = held ? [] : null;
  const write = (text) => (out ? out.push(text) : process.stdout.write(text));
  write(`running ${files.length} ${label} test file(s): ${files.join(' ')}\n`);
  const child = spawn(
    process.execPath,
    [
      '--conditions=@scrapyard/source',
      '--import',
      'tsx',
      '--import',
      './scripts/test-timeouts.mjs',
      '--test',
      `--test-concurrency=${cfg.concurrency}`,
      `--test-timeout=${cfg.fileTimeoutMs}`,
      // A file whose tests are done but that holds a handle open must not hang the run.
      '--test-force-exit',
      '--test-reporter=spec',
      ...files,
    ],
    {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, ...env, SCRAPYARD_TEST_TIMEOUT_MS: String(cfg.testTimeoutMs) },
    },
  );
  children.add(child);
  // The summary at the end of the output is checked.
  const reader = summaryReader();
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (text) => {
    write(text);
    reader.feed(text);
  });
  return new Promise((resolve) => {
    const watchdog = setTimeout(() => {
      console.error(`scripts/test.mjs: ${k} tests still running after ${cfg.runTimeoutMs / 60_000} min: killing them`);
      child.kill('SIGKILL');
    }, cfg.runTimeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(watchdog);
      children.delete(child);
      if (out) process.stdout.write(out.join(''));
      let status = code ?? 1;
      const s = reader.counts();
      totals.pass += s.pass;
      totals.fail += s.fail;
      if (Number.isNaN(s.tests)) {
        console.error(`scripts/test.mjs: the ${k} run ended (${signal ?? code}) without a summary`);
        status ||= 1;
      } else {
        if (!(s.tests > 0)) {
          console.error(`scripts/test.mjs: the ${k} run reported no tests`);
          status ||= 1;
        }
        if (s.skipped > 0 || s.todo > 0) {
          console.error(
            `scripts/test.mjs: ${s.skipped} skipped and ${s.todo} todo ${k} test(s): a test that doesn't run is a defect`,
          );
          status ||= 1;
        }
      }
      resolve(status);
    });
  });
}

/**
 * End-to-end files whose masters take the run's store: they start masters and do not choose a store themselves
 * (files that do, through test/helpers/stores.ts or postgres.ts, already cover both). The e2e kind runs them a
 * second time with every such master on PostgreSQL.
 */
function takesRunStore(file) {
  // The web UI's browser tests (test/e2e/ui-*.test.ts) test the browser side: the REST routes they drive are
  // covered on both stores by their own e2e files, so a second, PostgreSQL pass would only double their minutes.
  if (/^test[\\/]e2e[\\/]ui-/.test(file)) return false;
  const text = readFileSync(join(root, file), 'utf8');
  return /\bstart(Master|Cluster)\(/.test(text) && !/\b(masterStore|testEachStore|testDatabaseUrl)\(/.test(text);
}

const postgres = await postgresForTests();
let status = 0;
try {
  for (const k of kinds) {
    if (picked[k].length === 0 || signalled) continue;
    const runs = [run(k, picked[k], postgres.env)];
    // The PostgreSQL pass runs beside the SQLite one: most of an e2e test's time is spent waiting on crawls and
    // timers, not on the CPU. Its output is printed when it ends.
    const again = k === 'e2e' ? picked.e2e.filter(takesRunStore) : [];
    if (again.length > 0) {
      const env = { ...postgres.env, SCRAPYARD_TEST_STORE: 'postgres' };
      runs.push(run('e2e', again, env, 'e2e (PostgreSQL)', true));
    }
    for (const r of await Promise.all(runs)) status ||= r;
  }
} finally {
  await postgres.stop().catch((err) => console.error(`scripts/test.mjs: stopping PostgreSQL: ${err.message}`));
}
console.log(`\ntotal: ${totals.pass} passed, ${totals.fail} failed`);
if (signalled) {
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  process.kill(process.pid, signalled);
  status ||= 1;
}
process.exit(status);
