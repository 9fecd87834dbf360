/**
 * A job's page (/jobs/:jobId?project=): its facts and attempts, live stats with charts and exceptions, CPU and
 * RSS, its first items, its log (the log viewer's slot), and a cancel button for those who may. Everything follows
 * the live stream: the job's events reload its facts, `job.stats` grows the charts, a `reset` reloads it all.
 */
import type { JobStatsPoint, LiveEvent } from '@scrapyard/protocol';
import { useEffect, useRef, useState } from 'preact/hooks';
import { cancelJob, getJob, getJobMetrics, getJobStats } from '../../api/jobs.js';
import { ConfirmButton } from '../../components/confirm-button.js';
import { ErrorBanner } from '../../components/error-banner.js';
import { Link } from '../../components/link.js';
import { useLoad } from '../../components/use-load.js';
import { useLive } from '../../live/use-live.js';
import { useSession } from '../../session/session.js';
import { ItemsSection } from './items-section.js';
import { JobSummary } from './job-summary.js';
import { LogViewer } from './log-viewer/log-viewer.js';
import { ResourcesSection } from './resources-section.js';
import { appendPoint } from './stats-series.js';
import { StatsSection } from './stats-section.js';

/** A running job's whole stats, metrics and items are re-read at most this often, when its stats events come. */
const REFRESH_MS = 5_000;

export function JobPage({ jobId, search }: { jobId: string; search: string }) {
  const { can } = useSession();
  const project = new URLSearchParams(search).get('project') ?? undefined;
  const detail = useLoad(() => getJob(jobId, project), [jobId, project]);
  const stats = useLoad(() => getJobStats(jobId, project), [jobId, project]);
  const metrics = useLoad(() => getJobMetrics(jobId, project), [jobId, project]);
  const [series, setSeries] = useState<readonly JobStatsPoint[]>([]);
  const [items, setItems] = useState(0);
  const [stopping, setStopping] = useState(false);
  const [actionError, setActionError] = useState<unknown>(undefined);
  const [now, setNow] = useState(Date.now());
  const lastRefresh = useRef(0);
  useEffect(() => setSeries(stats.data?.series ?? []), [stats.data]);
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 1_000);
    return () => clearInterval(t);
  }, []);

  const job = detail.data;
  const refreshAll = () => {
    lastRefresh.current = Date.now();
    stats.reload();
    metrics.reload();
    setItems((g) => g + 1);
  };
  const mine = (e: LiveEvent) => 'runId' in e && e.jobId === jobId && (project === undefined || e.project === project);
  useLive({
    event: (_type, data) => {
      const e = data as LiveEvent;
      if (!mine(e)) return;
      if (e.type === 'job.stats') {
        setSeries((s) =>
          appendPoint(s, {
            at: e.sampledAt,
            items: e.items,
            requests: e.requests,
            responses: e.responses,
            errors: e.errors,
          }),
        );
        if (e.final || Date.now() - lastRefresh.current >= REFRESH_MS) refreshAll();
        return;
      }
      if (e.type === 'job.cancelled' && e.previousState === 'running') setStopping(true);
      if (e.type === 'job.finished') {
        setStopping(false);
        refreshAll();
      }
      detail.reload();
    },
    reset: () => {
      detail.reload();
      refreshAll();
    },
  });

  const cancel = async () => {
    if (!job) return;
    setActionError(undefined);
    try {
      await cancelJob(job.id, job.project);
      if (job.state === 'running') setStopping(true);
    } catch (e) {
      setActionError(e);
    }
  };

  return (
    <>
      <p>
        <Link to="/jobs">← Jobs</Link>
      </p>
      <div class="page-head">
        <h1>
          Job <code>{jobId}</code>
        </h1>
        {job && job.state !== 'finished' && can('cancel', job.project) && (
          <ConfirmButton onConfirm={cancel} confirmText={stopping ? 'Kill it now?' : 'Cancel this job?'}>
            {stopping ? 'Cancel again (kill)' : 'Cancel job'}
          </ConfirmButton>
        )}
      </div>
      <ErrorBanner error={actionError ?? detail.error} onDismiss={() => setActionError(undefined)} />
      {detail.loading && !job && <p class="muted">Loading…</p>}
      {job && (
        <>
          <JobSummary job={job} now={now} stopping={stopping} />
          <ErrorBanner error={stats.error} />
          {stats.data && (
            <StatsSection
              live={{
                summary: stats.data.summary,
                stats: stats.data.stats,
                series,
                exceptions: stats.data.exceptions,
              }}
            />
          )}
          <ErrorBanner error={metrics.error} />
          {metrics.data && <ResourcesSection samples={metrics.data.samples} />}
          {job.state !== 'pending' && <ItemsSection job={job} generation={items} />}
          {/* The log viewer's slot: pages/job/log-viewer/ (built by the log-viewer helper). */}
          <section id="log" aria-labelledby="log-title">
            <h2 id="log-title">Log</h2>
            <LogViewer jobId={job.id} project={job.project} running={job.state !== 'finished'} />
          </section>
        </>
      )}
    </>
  );
}
