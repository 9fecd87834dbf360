/**
 * Admin › Audit log: who did what, newest first, filtered by actor, action, project and time (the filters live in
 * the URL, so a filtered view is a link), a page at a time with previous/next. Live: a new entry the filters admit
 * heads the first page; on a later page (it would shift the cursor) it is counted, with a way to the first page.
 */
import type { AuditEntry } from '@scrapyard/protocol';
import { useEffect, useState } from 'preact/hooks';
import { auditPage } from '../../api/admin.js';
import { CursorPager } from '../../components/cursor-pager.js';
import { currentCursor, firstPage, nextPage, previousPage, type CursorStack } from '../../components/cursor-stack.js';
import { EmptyState } from '../../components/empty-state.js';
import { ErrorBanner } from '../../components/error-banner.js';
import { TableHead } from '../../components/table-head.js';
import { Time } from '../../components/time.js';
import { useLoad } from '../../components/use-load.js';
import { useLive } from '../../live/use-live.js';
import { navigate } from '../../navigation.js';
import { AdminNav } from './admin-nav.js';
import { addEntry, entryMatches } from './audit-live.js';
import { actorLabel, summaryText } from './audit-format.js';
import { auditPath, filtersFromSearch, searchOfFilters } from './audit-query.js';
import { AuditFilterForm } from './audit-filter-form.js';

const PAGE_SIZE = 50;

export function AuditPage({ search }: { search: string }) {
  const filters = filtersFromSearch(search);
  const key = searchOfFilters(filters);
  // The pages seen belong to the filters they were seen with: new filters start again at their first page.
  const [paging, setPaging] = useState({ key, stack: firstPage<number>() });
  const stack = paging.key === key ? paging.stack : firstPage<number>();
  const setStack = (s: CursorStack<number>) => setPaging({ key, stack: s });
  const cursor = currentCursor(stack);
  const view = `${key}#${cursor ?? ''}`;
  const { data, error, loading, reload } = useLoad(
    () => auditPage(auditPath(filters, cursor, PAGE_SIZE)).then((page) => ({ view, page })),
    [key, cursor],
  );
  const [held, setHeld] = useState<{ view: string; entries: readonly AuditEntry[] } | undefined>(undefined);
  const [fresh, setFresh] = useState(0);
  useEffect(() => {
    if (data) setHeld({ view: data.view, entries: data.page.entries });
    setFresh(0);
  }, [data]);
  // The rows of other filters or another page are not shown while this view loads.
  const entries = held?.view === view ? held.entries : undefined;
  const next = data?.view === view ? data.page.nextCursor : undefined;
  useLive({
    event: (_type, e) => {
      if (e.type !== 'audit.appended' || !entryMatches(e.entry, filters)) return;
      if (cursor !== undefined) setFresh((n) => n + 1);
      else setHeld((h) => (h?.view === view ? { view, entries: addEntry(h.entries, e.entry, PAGE_SIZE) } : h));
    },
    reset: reload,
  });
  return (
    <>
      <h1>Admin</h1>
      <AdminNav current="/admin/audit" />
      <AuditFilterForm key={key} filters={filters} onApply={(f) => navigate(`/admin/audit${searchOfFilters(f)}`)} />
      <ErrorBanner error={error} />
      {fresh > 0 && (
        <p class="muted" role="status">
          {fresh} new entr{fresh === 1 ? 'y' : 'ies'}:{' '}
          <button type="button" class="secondary" onClick={() => setStack(firstPage<number>())}>
            show
          </button>
        </p>
      )}
      {loading && entries === undefined && <p class="muted">Loading…</p>}
      {entries?.length === 0 && (
        <EmptyState title="Nothing recorded matches.">
          <p>Widen the filters, or clear them to see everything.</p>
        </EmptyState>
      )}
      {entries !== undefined && entries.length > 0 && (
        <div class="table-wrap">
          <table>
            <TableHead columns={['Time', 'Actor', 'Action', 'Target', 'Project', 'Address', 'Details']} />
            <tbody>
              {entries.map((e) => (
                <Row key={e.id} entry={e} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      <CursorPager
        stack={stack}
        next={next}
        busy={loading}
        onPrevious={() => setStack(previousPage(stack))}
        onNext={() => setStack(nextPage(stack, next ?? null))}
      />
    </>
  );
}

function Row({ entry: e }: { entry: AuditEntry }) {
  return (
    <tr data-audit={e.action}>
      <td>
        <Time ms={e.at} />
      </td>
      <td>{actorLabel(e.actor)}</td>
      <td>
        <code>{e.action}</code>
      </td>
      <td>{e.target ?? <span class="muted">–</span>}</td>
      <td>{e.project ?? <span class="muted">–</span>}</td>
      <td>{e.address ?? <span class="muted">–</span>}</td>
      <td class="wrap">{summaryText(e.summary)}</td>
    </tr>
  );
}
