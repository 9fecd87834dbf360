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
import { arrival, jobMatches } from './job-match.js';
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
  const insert = (e: LiveEvent & { jobId: string; project: string }) => {
    getJob(e.jobId, e.project).then((job) => {
      if (e.type === 'job.queued') setRows((r) => prepend(r, job, o.pageSize));
      // The job as it is now (later events may have moved it on): shown only if it still matches.
      else if (jobMatches(job, o.filters)) setRows((r) => insertByAge(r, job, o.pageSize));
    }, o.onError);
  };
  useLive({
    event: (_type, data) => {
      const e = data as LiveEvent;
      if (!('runId' in e)) return;
      const key = rowKey(e.project, e.jobId);
      const what = arrival(e, o.filters, o.firstPage, shown(key));
      if (what === 'insert') insert(e);
      if (what === 'count') setFresh((s) => new Set(s).add(key));
      if (e.type !== 'job.queued') setRows((r) => applyEvent(r, e, o.filters));
    },
    reset: o.reload,
  });
  return { rows, setRows, fresh: fresh.size };
}
