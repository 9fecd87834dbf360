/**
 * The jobs list's rows following the live stream, on every page: rows change in place and leave when an event
 * takes them out of the filters. A job that comes into the filters (queued, or entering the filtered state) is
 * put in place on the first page; on a later page it would shift the rows under the cursor, so it is only counted
 * (`fresh`: the page offers to go to the first page). A `reset` reloads the page.
 */
import type { JobInfo, LiveEvent } from '@scrapyard/protocol';
import { useEffect, useState } from 'preact/hooks';
import { getJob } from '../../api/jobs.js';
import { useLive } from '../../live/use-live.js';
import type { JobFilters } from './job-filters.js';
import { admitsQueued, jobMatches, mayEnter } from './job-match.js';
import { applyEvent, insertByAge, keyOf, prepend, rowKey, rowsOf, type Rows } from './live-rows.js';

export interface LiveJobsOptions {
  filters: JobFilters;
  firstPage: boolean;
  pageSize: number;
  /** The page as last fetched (a new one replaces the rows). */
  jobs: readonly JobInfo[] | undefined;
  reload: () => void;
  onError: (e: unknown) => void;
}

export function useLiveJobs(o: LiveJobsOptions) {
  const [rows, setRows] = useState<Rows>(rowsOf([]));
  const [fresh, setFresh] = useState<ReadonlySet<string>>(new Set());
  useEffect(() => {
    if (o.jobs) setRows(rowsOf(o.jobs));
    setFresh(new Set());
  }, [o.jobs]);

  const shown = (key: string) => rows.jobs.some((j) => keyOf(j) === key);
  const entered = (e: LiveEvent & { jobId: string; project: string }) => {
    const key = rowKey(e.project, e.jobId);
    if (!o.firstPage) {
      if (e.type === 'job.queued') setFresh((s) => new Set(s).add(key));
      return;
    }
    getJob(e.jobId, e.project).then((job) => {
      if (e.type === 'job.queued') setRows((r) => prepend(r, job, o.pageSize));
      // The job as it is now (later events may have moved it on): shown only if it still matches.
      else if (jobMatches(job, o.filters)) setRows((r) => insertByAge(r, job, o.pageSize));
    }, o.onError);
  };
  useLive({
    event: (_type, data) => {
      const e = data as LiveEvent;
      if (e.type === 'job.queued') {
        if (admitsQueued(o.filters, e)) entered(e);
        return;
      }
      if ('runId' in e && !shown(rowKey(e.project, e.jobId)) && mayEnter(o.filters, e) && o.firstPage) entered(e);
      setRows((r) => applyEvent(r, e, o.filters));
    },
    reset: o.reload,
  });
  return { rows, setRows, fresh: fresh.size };
}
