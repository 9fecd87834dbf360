/** A link to an app path: a real `<a href>` (open in a new tab works), followed without a reload on a plain click. */
import type { ComponentChildren } from 'preact';
import { navigate } from '../navigation.js';
import { href } from '../router.js';

export function Link(props: { to: string; class?: string; current?: boolean; children: ComponentChildren }) {
  return (
    <a
      href={href(props.to)}
      class={props.class}
      aria-current={props.current ? 'page' : undefined}
      onClick={(e) => {
        if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
        e.preventDefault();
        navigate(props.to);
      }}
    >
      {props.children}
    </a>
  );
}
