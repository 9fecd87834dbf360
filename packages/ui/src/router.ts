/**
 * Client routes under /ui (pure): the app's path of a location, the location of an app path, and where a login
 * returns to. The DOM side (history, the current route as a hook) is navigation.ts.
 */
export const BASE = '/ui';

/** `/ui/jobs/x` → `/jobs/x`; `/ui` and `/ui/` → `/`. Anything outside the base is the dashboard. */
export function appPath(pathname: string): string {
  if (pathname !== BASE && !pathname.startsWith(`${BASE}/`)) return '/';
  const rest = pathname.slice(BASE.length);
  return rest === '' ? '/' : rest;
}

/** The URL of an app path (`/jobs` → `/ui/jobs`). */
export function href(path: string): string {
  return path === '/' ? `${BASE}/` : `${BASE}${path}`;
}

/**
 * Where to go after a login: the page asked for (its app path, `?next=` of the login page), unless that is not a
 * path of ours (a full URL, `//host`, the login page itself): then the dashboard.
 */
export function afterLogin(next: string | null): string {
  if (next === null || !next.startsWith('/') || next.startsWith('//') || next.includes('\\')) return '/';
  const path = next.split(/[?#]/)[0]!;
  return path === '/login' ? '/' : next;
}

/** The login page's path for a user sent there from `from` (an app path with its query). */
export function loginPath(from: string): string {
  return from === '/' || from.startsWith('/login') ? '/login' : `/login?next=${encodeURIComponent(from)}`;
}

/** `/jobs/abc` matches `/jobs/:id` with `{ id: 'abc' }`; undefined when it does not match. */
export function matchRoute(pattern: string, path: string): Record<string, string> | undefined {
  const want = pattern.split('/').filter(Boolean);
  const have = path.split('/').filter(Boolean);
  if (want.length !== have.length) return undefined;
  const params: Record<string, string> = {};
  for (const [i, segment] of want.entries()) {
    const actual = have[i]!;
    if (segment.startsWith(':')) {
      try {
        params[segment.slice(1)] = decodeURIComponent(actual);
      } catch {
        return undefined;
      }
    } else if (segment !== actual) return undefined;
  }
  return params;
}
