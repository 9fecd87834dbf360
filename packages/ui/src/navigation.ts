/** The browser side of router.ts: the current app path as a hook, and navigation without a reload. */
import { useEffect, useState } from 'preact/hooks';
import { appPath, href } from './router.js';

export interface Location {
  /** The app path (`/jobs`), without /ui. */
  path: string;
  /** `?state=running`, or ''. */
  search: string;
}

const current = (): Location => ({ path: appPath(window.location.pathname), search: window.location.search });
const listeners = new Set<() => void>();
window.addEventListener('popstate', () => listeners.forEach((l) => l()));

/** Goes to an app path (with its query); `replace` for a redirect, so Back does not return to it. */
export function navigate(to: string, replace = false): void {
  const url = href(to.startsWith('/') ? to : `/${to}`);
  if (replace) window.history.replaceState(null, '', url);
  else window.history.pushState(null, '', url);
  listeners.forEach((l) => l());
  window.scrollTo(0, 0);
}

export function useLocation(): Location {
  const [location, setLocation] = useState(current);
  useEffect(() => {
    const update = () => setLocation(current());
    listeners.add(update);
    return () => void listeners.delete(update);
  }, []);
  return location;
}
