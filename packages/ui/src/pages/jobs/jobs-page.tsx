/**
 * Jobs (/jobs): the whole cluster's jobs, newest first, with filters in the URL and cursor pages; rows follow the
 * live stream on every page (use-live-jobs.ts); pending jobs say why they wait; several can be cancelled at once;
 * "Schedule a job" for those who may.
 */
import type { JobInfo } from '@scrapyard/protocol';
import { useEffect, useState } from 'preact/hooks';
import { cancelJob, listJobs } from '../../api/jobs.js';
import { ConfirmButton } from '../../components/confirm-button.js';
import { CursorPager } from '../../components/cursor-pager.js';
import * as pages from '../../components/cursor-stack.js';
import { EmptyState } from '../../components/empty-state.js';
import { ErrorBanner } from '../../components/error-banner.js';
import { useLoad } from '../../components/use-load.js';
import { navigate } from '../../navigation.js';
import { useSession } from '../../session/session.js';
import { FilterBar } from './filter-bar.js';
import { filtersSearch, hasFilters, listQuery, parseFilters, type JobFilters } from './job-filters.js';
import { JobTable } from './job-table.js';
import { keyOf, prepend } from './live-rows.js';
import { ScheduleForm } from './schedule-form.js';
import { useLiveJobs } from './use-live-jobs.js';

const PAGE_SIZE = 50;

export function JobsPage({ search }: { search: string }) {
  const { can } = useSession();
  const filters = parseFilters(search);
  const urlCursor = new URLSearchParams(search).get('cursor') ?? undefined;
  const [pagination, setPagination] = useState(() => pages.fromCursor(urlCursor));
  const synced = pages.syncWithCursor(pagination, urlCursor);
  useEffect(() => {
    if (synced !== pagination) setPagination(synced);
  }, [synced, pagination]);
  const cursor = pages.currentCursor(synced);
  const query = listQuery(filters, PAGE_SIZE, cursor);
  const page = useLoad(() => listJobs(query), [query]);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [actionError, setActionError] = useState<unknown>(undefined);
  const [scheduling, setScheduling] = useState(false);
  const [now, setNow] = useState(Date.now());
  const { rows, setRows, fresh } = useLiveJobs({
    filters,
    firstPage: cursor === undefined,
    pageSize: PAGE_SIZE,
    jobs: page.data?.jobs,
    reload: page.reload,
    onError: setActionError,
  });
  useEffect(() => setSelected(new Set()), [query]);
  // Durations of running jobs tick on screen; nothing is fetched.
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 1_000);
    return () => clearInterval(t);
  }, []);

  const go = (f: JobFilters, c?: string) => navigate(`/jobs${filtersSearch(f, c)}`);
  const applyFilters = (f: JobFilters) => {
    setPagination(pages.firstPage());
    go(f);
  };
  const toNext = () => {
    const p = pages.nextPage(synced, page.data?.nextCursor ?? null);
    setPagination(p);
    go(filters, pages.currentCursor(p));
  };
  const toPrevious = () => {
    const p = pages.previousPage(synced);
    setPagination(p);
    go(filters, pages.currentCursor(p));
  };

  const toFirst = () => {
    setPagination(pages.firstPage());
    go(filters);
  };

  const cancellable = (j: JobInfo) => j.state !== 'finished' && can('cancel', j.project);
  const toggle = (key: string) =>
    setSelected((s) => {
      const out = new Set(s);
      if (!out.delete(key)) out.add(key);
      return out;
    });
  const chosen = rows.jobs.filter((j) => selected.has(keyOf(j)) && cancellable(j));
  const cancelChosen = async () => {
    setActionError(undefined);
    const results = await Promise.allSettled(chosen.map((j) => cancelJob(j.id, j.project)));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) setActionError(failed.reason);
    setSelected(new Set());
  };

  return (
    <>
      <div class="page-head">
        <h1>Jobs</h1>
        {can('schedule') && !scheduling && (
          <button type="button" onClick={() => setScheduling(true)}>
            Schedule a job
          </button>
        )}
      </div>
      {scheduling && (
        <ScheduleForm
          can={can}
          onClose={() => setScheduling(false)}
          onDone={(job) => {
            setScheduling(false);
            if (cursor === undefined) setRows((r) => prepend(r, job, PAGE_SIZE));
          }}
        />
      )}
      <FilterBar filters={filters} onApply={applyFilters} />
      {fresh > 0 && (
        <p class="muted" role="status">
          {fresh} new job{fresh === 1 ? '' : 's'}:{' '}
          <button type="button" class="secondary" onClick={toFirst}>
            show
          </button>
        </p>
      )}
      <ErrorBanner error={actionError ?? page.error} onDismiss={() => setActionError(undefined)} />
      {rows.jobs.some(cancellable) && (
        <div class="toolbar">
          <ConfirmButton
            disabled={chosen.length === 0}
            onConfirm={cancelChosen}
            confirmText={`Cancel ${chosen.length} job${chosen.length === 1 ? '' : 's'}?`}
          >
            Cancel selected ({chosen.length})
          </ConfirmButton>
        </div>
      )}
      {page.loading && !page.data && <p class="muted">Loading…</p>}
      {page.data && rows.jobs.length === 0 && (
        <EmptyState title={hasFilters(filters) ? 'No job matches these filters.' : 'No jobs yet.'}>
          <p>
            {hasFilters(filters)
              ? 'Clear or widen the filters.'
              : 'Schedule one with "Schedule a job", scrapyd-deploy and schedule.json, or a schedule.'}
          </p>
        </EmptyState>
      )}
      {rows.jobs.length > 0 && (
        <JobTable rows={rows} now={now} selectable={cancellable} selected={selected} onToggle={toggle} />
      )}
      <CursorPager stack={synced} next={page.data?.nextCursor} onPrevious={toPrevious} onNext={toNext} />
    </>
  );
}
