/**
 * What an egg may ask pip to install. Requirements come from the uploaded egg (its `install_requires`), so they
 * are untrusted input on the agent: a pip option (`--index-url …`) or a direct reference (`pkg @ https://…`,
 * `git+https://…`, a URL or a local path) would let an egg fetch code from wherever it likes, around the node's
 * index policy (`pipIndexUrl`, `pipNoIndex` with a wheelhouse). Plain specifiers (`name[extra]>=1.0; marker`)
 * go through the configured index only; direct references are refused unless the node allows them.
 */

/** `name[extras] @ url` (PEP 508), a VCS or other URL, or a path. */
function isDirectReference(req: string): boolean {
  const r = req.trim();
  return (
    /^[A-Za-z0-9][A-Za-z0-9._-]*\s*(\[[^\]]*\])?\s*@/.test(r) || /^[a-z][a-z0-9+.-]*:/i.test(r) || /^[./~\\]/.test(r)
  );
}

/** Why these requirements must not be installed, or null when they may. */
export function refusedRequirement(requirements: readonly string[], o: { allowDirectUrls: boolean }): string | null {
  for (const req of requirements) {
    if (req.trimStart().startsWith('-')) {
      return `requirement "${req}" looks like a pip option; only requirement specifiers are allowed`;
    }
    if (!o.allowDirectUrls && isDirectReference(req)) {
      return `requirement "${req}" is a direct URL, VCS or path reference: refused because pipAllowDirectUrls is off (requirements come from the configured index only)`;
    }
  }
  return null;
}
