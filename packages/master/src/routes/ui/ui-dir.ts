/** Where the built web UI is: `packages/ui/dist`, found through the package, so an installed master needs no build. */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function uiDistDir(): string {
  try {
    return join(dirname(fileURLToPath(import.meta.resolve('@scrapyard/ui/package.json'))), 'dist');
  } catch {
    // Not installed beside the master: /ui/ answers UI_NOT_BUILT naming where it looked.
    return fileURLToPath(new URL('../../../../ui/dist', import.meta.url));
  }
}
