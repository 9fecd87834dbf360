#!/usr/bin/env -S node --max-semi-space-size=4 --v8-pool-size=2 --heap-growing-percent=25
// A 4 MB young generation keeps the idle daemon ~10 MB smaller at no measurable throughput cost (bench/); two V8
// worker threads instead of four (background GC and compilation) keep it ~4 MB smaller (fewer malloc arenas), also
// at no measurable cost (bench `idle`, `latency`, `throughput`). A full collection once the old generation is 1.25×
// what survived the last one, instead of V8's own factor (up to 4× on a busy heap): a master with 10,000 agents
// promotes a little of every heartbeat, and its RSS otherwise grew by ~70 MB between collections (bench
// `agents10k`; a full collection of its ~65 MB heap is mostly concurrent, one every ~8 s there). 1.5× cost 10 MB
// more RSS there for one percent of a core less. pnpm's shim and install-bin.sh's links
// carry these flags from the shebang.
// Runs the built master (dist). `pnpm install` builds it; in development use `pnpm dev:master`.
import { existsSync } from 'node:fs';
const entry = new URL('../dist/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('scrapyard-master: not built yet; run `pnpm build` in the repository root\n');
  process.exit(1);
}
await import(entry.href);
