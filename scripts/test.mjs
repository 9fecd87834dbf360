#!/usr/bin/env node
// Lists test files (Node 20's runner neither globs nor finds .ts) and runs them with node:test through tsx.
// Usage: node scripts/test.mjs unit|e2e|all [substring filter...]
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const [kind = 'all', ...filters] = process.argv.slice(2);

function find(dir) {
  return readdirSync(join(root, dir), { recursive: true, withFileTypes: false })
    .map((f) => join(dir, String(f)))
    .filter((f) => f.endsWith('.test.ts') && !f.includes('node_modules') && !f.includes(`dist/`));
}
const unit = ['packages/protocol/src', 'packages/master/src', 'packages/agent/src'].flatMap(find);
const e2e = find('test');
const pick = (files) => files.filter((f) => filters.length === 0 || filters.some((s) => f.includes(s))).sort();

function run(files, concurrency) {
  if (files.length === 0) return 0;
  console.log(`running ${files.length} test file(s): ${files.map((f) => relative(root, join(root, f))).join(' ')}`);
  const res = spawnSync(
    process.execPath,
    ['--conditions=@scrapyard/source', '--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, ...files],
    { cwd: root, stdio: 'inherit' },
  );
  return res.status ?? 1;
}

let status = 0;
if (kind === 'unit' || kind === 'all') status ||= run(pick(unit), 2);
if (kind === 'e2e' || kind === 'all') status ||= run(pick(e2e), Number(process.env.E2E_CONCURRENCY ?? 2));
process.exit(status);
