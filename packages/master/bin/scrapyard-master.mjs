#!/usr/bin/env -S node --max-semi-space-size=4
// A 4 MB young generation keeps the idle daemon ~10 MB smaller at no measurable throughput cost (bench/);
// pnpm's shim carries this flag from the shebang, and so do install-bin.sh's links to this file.
// Runs the built master (dist). `pnpm install` builds it; in development use `pnpm dev:master`.
import { existsSync } from 'node:fs';
const entry = new URL('../dist/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('scrapyard-master: not built yet; run `pnpm build` in the repository root\n');
  process.exit(1);
}
await import(entry.href);
