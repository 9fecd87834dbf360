/** Two runs' whole Scrapy stats side by side (GET /api/v1/jobs/:id/stats for each), with numeric deltas. */
import { EmptyState } from '../../components/empty-state.js';
import { ErrorBanner } from '../../components/error-banner.js';
import { useLoad } from '../../components/use-load.js';
import { jobStats } from '../projects/projects-api.js';
import { diffStats, formatDelta, type StatValue } from './stats-diff.js';

const show = (v: StatValue | undefined) =>
  v === undefined ? <span class="muted">absent</span> : v === null ? 'null' : String(v);

export function CompareRuns(props: { project: string; a: string; b: string }) {
  const { project, a, b } = props;
  const { data, error } = useLoad(() => Promise.all([jobStats(a, project), jobStats(b, project)]), [project, a, b]);
  if (error) return <ErrorBanner error={error} />;
  if (!data) return <p class="muted">Loading both runs' stats…</p>;
  const [sa, sb] = data;
  if (!sa.stats && !sb.stats) return <EmptyState title="Neither run reported stats." />;
  const rows = diffStats(sa.stats ?? {}, sb.stats ?? {});
  return (
    <div class="table-wrap">
      <table aria-label="Compared stats" class="compare">
        <thead>
          <tr>
            <th>Stat</th>
            <th>
              Run <code>{a}</code>
            </th>
            <th>
              Run <code>{b}</code>
            </th>
            <th>Change</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.key} data-stat={r.key} class={r.presence !== 'both' ? 'one-sided' : r.changed ? 'changed' : ''}>
              <td>
                <code>{r.key}</code>
              </td>
              <td>{show(r.a)}</td>
              <td>{show(r.b)}</td>
              <td>{r.presence === 'both' ? formatDelta(r) : `only in run ${r.presence === 'a' ? a : b}`}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
