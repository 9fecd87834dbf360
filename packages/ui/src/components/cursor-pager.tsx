/** Previous / next buttons under a cursor-paged list (generic: the state is a CursorStack of cursor-stack.ts). */
import { hasPrevious, pageNumber, type CursorStack } from './cursor-stack.js';

export function CursorPager<C>(props: {
  stack: CursorStack<C>;
  /** The current answer's next cursor (null: the last page). */
  next: C | null | undefined;
  onPrevious: () => void;
  onNext: () => void;
  busy?: boolean;
}) {
  const { stack, next } = props;
  return (
    <nav class="pager" aria-label="Pages">
      <button type="button" class="secondary" disabled={props.busy || !hasPrevious(stack)} onClick={props.onPrevious}>
        Previous
      </button>
      <span class="muted">Page {pageNumber(stack)}</span>
      <button
        type="button"
        class="secondary"
        disabled={props.busy || next === null || next === undefined}
        onClick={props.onNext}
      >
        Next
      </button>
    </nav>
  );
}
