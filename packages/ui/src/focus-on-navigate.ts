/**
 * After a client navigation to another page, focus goes to the new page's main heading (or, without one, the main
 * region): a keyboard or screen-reader user lands on the content, not on the link they left. Not on the first load
 * (the browser starts at the top of the document) and not when only the query changes (a filter applied keeps the
 * focus in its form). Scrolling stays the navigation's: `navigate()` goes to the top, Back/Forward restore.
 */
import type { RefObject } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

export function useFocusOnNavigate(path: string, main: RefObject<HTMLElement | null>): void {
  const shown = useRef(path);
  useEffect(() => {
    if (shown.current === path) return;
    shown.current = path;
    const region = main.current;
    if (region === null) return;
    const heading = region.querySelector<HTMLElement>('h1');
    const target = heading ?? region;
    if (!target.hasAttribute('tabindex')) target.setAttribute('tabindex', '-1');
    target.focus({ preventScroll: true });
  }, [path]);
}
