/**
 * Jobs (/jobs): the whole cluster's jobs, newest first, with filters in the URL and cursor pages; rows follow the
 * live stream (a queued job appears on the first page, states change in place, a `reset` reloads); pending jobs
 * say why they wait; several can be cancelled at once; "Schedule a job" for those who may.
 */
import type { JobInfo, LiveEvent } from '@scrapyard/protocol';
import { useEffect, useState } from 'preact/hooks';
import { cancelJob, getJob, listJobs } from '../../api/jobs.js';
import { ConfirmButton } from '../../components/confirm-button.js';
import { EmptyState } from '../../components/empty-state.js';
import { ErrorBanner } from '../../components/error-banner.js';
import { useLoad } from '../../components/use-load.js';
import { useLive } from '../../live/use-live.js';
import { navigate } from '../../navigation.js';
import { useSession } from '../../session/session.js';
import { FilterBar } from './filter-bar.js';
import { filtersSearch, hasFilters, listQuery, parseFilters, type JobFilters } from './job-filters.js';
import { JobTable } from './job-table.js';
import { admitsQueued, applyEvent, keyOf, prepend, rowsOf, type Rows } from './live-rows.js';
import * as pages from './pagination.js';
import { ScheduleForm } from './schedule-form.js';

const PAGE_SIZE = 50;

export function JobsPage({ search }: { search: string }) {
  const { can } = useSession();
  const filters = parseFilters(search);
  const urlCursor = new URLSearchParams(search).get('cursor');
  const [pagination, setPagination] = useState(() => pages.fromUrl(urlCursor));
  const synced = pages.syncWithUrl(pagination, urlCursor);
  useEffect(() => {
    if (synced !== pagination) setPagination(synced);
  }, [synced, pagination]);
  const cursor = pages.currentCursor(synced);
  const query = listQuery(filters, PAGE_SIZE, cursor);
  const page = useLoad(() => listJobs(query), [query]);
  const [rows, setRows] = useState<Rows>(rowsOf([]));
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [actionError, setActionError] = useState<unknown>(undefined);
  const [scheduling, setScheduling] = useState(false);
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (page.data) setRows(rowsOf(page.data.jobs));
  }, [page.data]);
  useEffect(() => setSelected(new Set()), [query]);
  // Durations of running jobs tick on screen; nothing is fetched.
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 1_000);
    return () => clearInterval(t);
  }, []);

  const addQueued = (e: Extract<LiveEvent, { type: 'job.queued' }>) => {
    getJob(e.jobId, e.project).then(
      (job) => setRows((r) => prepend(r, job, PAGE_SIZE)),
      (err: unknown) => setActionError(err),
    );
  };
  useLive({
    event: (type, data) => {
      const e = data as LiveEvent;
      if (type === 'job.queued' && e.type === 'job.queued') {
        if (cursor === undefined && admitsQueued(filters, e)) addQueued(e);
        return;
      }
      setRows((r) => applyEvent(r, e));
    },
    reset: () => page.reload(),
  });

  const go = (f: JobFilters, c?: string) => navigate(`/jobs${filtersSearch(f, c)}`);
  const applyFilters = (f: JobFilters) => {
    setPagination(pages.FIRST_PAGE);
    go(f);
  };
  const toNext = () => {
    const p = pages.next(synced, page.data?.nextCursor ?? null);
    setPagination(p);
    go(filters, pages.currentCursor(p));
  };
  const toPrevious = () => {
    const p = pages.previous(synced);
    setPagination(p);
    go(filters, pages.currentCursor(p));
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
      <nav class="pager" aria-label="Pages">
        <button type="button" class="secondary" disabled={!pages.hasPrevious(synced)} onClick={toPrevious}>
          Previous
        </button>
        <span class="muted">Page {pages.pageNumber(synced)}</span>
        <button type="button" class="secondary" disabled={!page.data?.nextCursor} onClick={toNext}>
          Next
        </button>
      </nav>
    </>
  );
}
