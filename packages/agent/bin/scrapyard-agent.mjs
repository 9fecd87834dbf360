#!/usr/bin/env node
// Runs the built agent (dist). `pnpm install` builds it; in development use `pnpm dev:agent`.
import { existsSync } from 'node:fs';
const entry = new URL('../dist/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('scrapyard-agent: not built yet; run `pnpm build` in the repository root\n');
  process.exit(1);
}
await import(entry.href);
