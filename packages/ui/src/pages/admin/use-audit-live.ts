/**
 * The admin pages' live hooks: a list of users or tokens is read again (debounced: a burst costs one read) when an
 * audit entry says it changed; a `reset` reads it again at once.
 */
import { useDebounced } from '../../components/use-debounced.js';
import { useLive } from '../../live/use-live.js';
import { concerns } from './audit-live.js';

export function useReloadOnAudit(prefixes: readonly string[], reload: () => void): void {
  const later = useDebounced(reload, 300);
  useLive({
    event: (_type, e) => {
      if (e.type === 'audit.appended' && concerns(e.entry.action, prefixes)) later();
    },
    reset: reload,
  });
}
