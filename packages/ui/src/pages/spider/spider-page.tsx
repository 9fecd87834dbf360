/**
 * A spider's page: its last runs charted with the alert rules' items baseline, its success rate, its schedules,
 * its policy, and two runs picked to compare their stats. A run that ends updates the page live.
 */
import type { JobInfo } from '@scrapyard/protocol';
import { useState } from 'preact/hooks';
import { EmptyState } from '../../components/empty-state.js';
import { ErrorBanner } from '../../components/error-banner.js';
import { Link } from '../../components/link.js';
import { Time } from '../../components/time.js';
import { useLoad } from '../../components/use-load.js';
import { formatCount, formatPercent } from '../../format/numbers.js';
import { useLive } from '../../live/use-live.js';
import { PolicySection } from '../projects/policy-section.js';
import { lastRuns, spiderBaseline } from '../projects/projects-api.js';
import { CompareRuns } from './compare-runs.js';
import { successRate } from './run-series.js';
import { RunsChart } from './runs-chart.js';
import { SpiderSchedules } from './spider-schedules.js';

const RUNS = 50;

export function SpiderPage({ project, spider }: { project: string; spider: string }) {
  const runs = useLoad(() => lastRuns(project, spider, RUNS), [project, spider]);
  const baseline = useLoad(() => spiderBaseline(project, spider), [project, spider]);
  const [picked, setPicked] = useState<string[]>([]);
  const [compared, setCompared] = useState<[string, string] | undefined>(undefined);
  const reload = () => {
    runs.reload();
    baseline.reload();
  };
  useLive({
    event: (type, data) => {
      const d = data as { project?: string; spider?: string };
      if (type === 'job.finished' && d.project === project && d.spider === spider) reload();
    },
    reset: reload,
  });
  const jobs: JobInfo[] = runs.data?.jobs ?? [];
  const rate = successRate(jobs);
  const toggle = (id: string) => setPicked((p) => (p.includes(id) ? p.filter((x) => x !== id) : [...p.slice(-1), id]));
  const b = baseline.data;
  return (
    <>
      <p class="crumbs">
        <Link to="/projects">Projects</Link> / <Link to={`/projects/${encodeURIComponent(project)}`}>{project}</Link> /
      </p>
      <h1>{spider}</h1>
      <ErrorBanner error={runs.error ?? baseline.error} />
      <section class="card" aria-labelledby="runs">
        <h2 id="runs">Last runs</h2>
        <dl class="facts">
          <div>
            <dt>Success rate</dt>
            <dd data-fact="success-rate">
              {rate ? `${formatPercent(rate.rate)} of ${rate.of} runs` : <span class="muted">no judged run</span>}
            </dd>
          </div>
          <div>
            <dt>Items baseline</dt>
            <dd data-fact="baseline">
              {b && b.median !== null
                ? `median ${b.median.toLocaleString('en-US', { maximumFractionDigits: 1 })} of the last ${b.items.length} succeeded runs`
                : 'no succeeded run yet'}
            </dd>
          </div>
        </dl>
        {runs.data && jobs.length === 0 && (
          <EmptyState title="No finished run yet.">
            <p>Schedule a job of this spider: its runs appear here as they end.</p>
          </EmptyState>
        )}
        {jobs.length > 0 && (
          <>
            <RunsChart runs={jobs} baseline={b} />
            <div class="actions">
              <button
                type="button"
                disabled={picked.length !== 2}
                onClick={() => setCompared([picked[0]!, picked[1]!])}
              >
                Compare the two picked runs
              </button>
              <span class="muted">{picked.length === 2 ? '' : 'Pick two runs below.'}</span>
            </div>
            {compared && <CompareRuns project={project} a={compared[0]} b={compared[1]} />}
            <RunsTable jobs={jobs} picked={picked} toggle={toggle} />
          </>
        )}
      </section>
      <SpiderSchedules project={project} spider={spider} />
      <PolicySection project={project} spider={spider} />
    </>
  );
}

function RunsTable(props: { jobs: readonly JobInfo[]; picked: readonly string[]; toggle: (id: string) => void }) {
  return (
    <div class="table-wrap">
      <table aria-label="Runs">
        <thead>
          <tr>
            <th>Compare</th>
            <th>Job</th>
            <th>Ended</th>
            <th>Outcome</th>
            <th>Items</th>
            <th>Errors</th>
          </tr>
        </thead>
        <tbody>
          {props.jobs.map((j) => (
            <tr key={j.id} data-job={j.id}>
              <td>
                <input
                  type="checkbox"
                  aria-label={`Compare run ${j.id}`}
                  checked={props.picked.includes(j.id)}
                  onChange={() => props.toggle(j.id)}
                />
              </td>
              <td>
                <Link to={`/jobs/${encodeURIComponent(j.id)}`}>
                  <code>{j.id}</code>
                </Link>
              </td>
              <td>
                <Time ms={j.endedAt} />
              </td>
              <td>{j.outcome ?? '–'}</td>
              <td>{j.stats ? formatCount(j.stats.items) : '–'}</td>
              <td>{j.stats ? formatCount(j.stats.errors) : '–'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
