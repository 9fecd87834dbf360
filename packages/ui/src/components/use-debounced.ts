/**
 * A trigger that runs `fn` once, `ms` after its last call: a burst of live events costs one re-fetch, not one
 * each. The latest `fn` runs; a pending run is dropped when the component goes away.
 */
import { useCallback, useEffect, useRef } from 'preact/hooks';

export function useDebounced(fn: () => void, ms: number): () => void {
  const latest = useRef(fn);
  latest.current = fn;
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);
  return useCallback(() => {
    clearTimeout(timer.current);
    timer.current = setTimeout(() => latest.current(), ms);
  }, [ms]);
}
