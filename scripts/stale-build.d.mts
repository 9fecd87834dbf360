// Types of stale-build.mjs for the TypeScript that imports it (tests): the repository doesn't compile JS.
export interface NewestSource {
  /** Relative to the repository root. */
  path: string;
  mtimeMs: number;
}

export function newestSource(root: string, pkgDir: string): NewestSource | null;

export function staleReason(p: { name: string; newest: NewestSource | null; builtAt: number | null }): string | null;

export function staleBuilds(root: string): string[];
