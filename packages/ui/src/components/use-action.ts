/** Runs what a button or a form does: busy while it runs, its error kept for the page to show (never swallowed). */
import { useCallback, useState } from 'preact/hooks';

export interface Action {
  /** Runs `what`; its answer, or undefined when it failed (the error is then in `error`). */
  run: <T>(what: () => Promise<T>) => Promise<T | undefined>;
  error: unknown;
  busy: boolean;
  clearError: () => void;
}

export function useAction(): Action {
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const run = useCallback(async <T>(what: () => Promise<T>): Promise<T | undefined> => {
    setError(undefined);
    setBusy(true);
    try {
      return await what();
    } catch (e) {
      setError(e);
      return undefined;
    } finally {
      setBusy(false);
    }
  }, []);
  const clearError = useCallback(() => setError(undefined), []);
  return { run, error, busy, clearError };
}
