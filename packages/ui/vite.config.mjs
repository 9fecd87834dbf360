// The web UI's bundle: hashed files under dist/assets/, served by the master under /ui/ (docs/ui.md).
import { rmSync } from 'node:fs';
import { defineConfig } from 'vite';

const dist = new URL('./dist/', import.meta.url);

export default defineConfig(({ command }) => {
  // dist/ also holds tsc's build info (the e2e runner's staleness check reads it): only Vite's own output is
  // replaced, never the whole directory.
  if (command === 'build') {
    for (const entry of ['assets', 'index.html']) rmSync(new URL(entry, dist), { recursive: true, force: true });
  }
  return {
    base: '/ui/',
    // The protocol package's sources (role-actions.ts), as the master's dev mode reads them.
    resolve: { conditions: ['@scrapyard/source'] },
    esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
    build: { outDir: 'dist', emptyOutDir: false, target: 'es2022', sourcemap: false },
  };
});
