/** The dashboard's lists: running jobs with live counts, recent failures, alerts firing, node health. */
import type { Alert, NodeInfo } from '@scrapyard/protocol';
import { EmptyState } from '../../components/empty-state.js';
import { Link } from '../../components/link.js';
import { TableHead } from '../../components/table-head.js';
import { Time } from '../../components/time.js';
import { formatCount, formatPercent } from '../../format/numbers.js';
import { NodeLink, NodeState } from '../nodes/node-bits.js';
import type { Failure } from './recent-failures.js';
import type { RunningJob } from './running-jobs.js';

const jobPath = (id: string) => `/jobs/${encodeURIComponent(id)}`;
const loading = <p class="muted">Loading…</p>;

/** A job's first two cells: its link (a short id) and what it crawls. */
function JobCells({ job }: { job: { jobId: string; project: string; spider: string } }) {
  return (
    <>
      <td>
        <Link to={jobPath(job.jobId)}>{job.jobId.slice(0, 12)}</Link>
      </td>
      <td>
        {job.project} / {job.spider}
      </td>
    </>
  );
}

export function RunningJobs({
  rows,
  showNode = true,
}: {
  rows: readonly RunningJob[] | undefined;
  showNode?: boolean;
}) {
  if (rows === undefined) return loading;
  if (rows.length === 0) {
    return (
      <EmptyState title="Nothing is running.">
        Schedule a crawl from <Link to="/jobs">Jobs</Link>; it shows here while it runs.
      </EmptyState>
    );
  }
  return (
    <div class="table-wrap">
      <table>
        <TableHead
          columns={[
            'Job',
            'Project / spider',
            ...(showNode ? ['Node'] : []),
            'Started',
            { num: 'Items' },
            { num: 'Requests' },
            { num: 'Errors' },
          ]}
        />
        <tbody>
          {rows.map((r) => (
            <tr key={r.jobId} data-running-job={r.jobId}>
              <JobCells job={r} />
              {showNode && <td>{r.nodeId ?? '–'}</td>}
              <td>
                <Time ms={r.startedAt} />
              </td>
              <td class="num" data-items>
                {formatCount(r.items)}
              </td>
              <td class="num">{formatCount(r.requests)}</td>
              <td class="num">{formatCount(r.errors)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function RecentFailures({ rows }: { rows: readonly Failure[] | undefined }) {
  if (rows === undefined) return loading;
  if (rows.length === 0) return <EmptyState title="No recent failures." />;
  return (
    <div class="table-wrap">
      <table>
        <TableHead columns={['Job', 'Project / spider', 'Outcome', 'Why', 'Ended']} />
        <tbody>
          {rows.map((r) => (
            <tr key={r.jobId} data-failed-job={r.jobId}>
              <JobCells job={r} />
              <td>
                <span class="badge bad">{r.outcome}</span>
              </td>
              <td class="wrap">{r.reason ?? <span class="muted">–</span>}</td>
              <td>
                <Time ms={r.endedAt} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function AlertsFiring({ alerts }: { alerts: readonly Alert[] | undefined }) {
  if (alerts === undefined) return loading;
  if (alerts.length === 0) {
    return (
      <EmptyState title="No alert is firing.">
        Rules are set under <Link to="/alerts">Alerts</Link>.
      </EmptyState>
    );
  }
  return (
    <ul class="plain-list">
      {alerts.map((a) => (
        <li key={a.id} data-alert={a.id}>
          <span class="badge bad">{a.kind}</span> {a.summary}
        </li>
      ))}
    </ul>
  );
}

const ratio = (used: number, total: number) => (total > 0 ? formatPercent(used / total) : '–');

export function NodeHealth({ nodes }: { nodes: readonly NodeInfo[] | undefined }) {
  if (nodes === undefined) return loading;
  if (nodes.length === 0) {
    return (
      <EmptyState title="No node.">
        <Link to="/nodes">Enroll a node</Link> to run crawls.
      </EmptyState>
    );
  }
  return (
    <div class="table-wrap">
      <table>
        <TableHead
          columns={['Node', 'State', { num: 'Running / slots' }, { num: 'CPU' }, { num: 'Memory' }, { num: 'Disk' }]}
        />
        <tbody>
          {nodes.map((n) => (
            <tr key={n.nodeId} data-node={n.nodeId}>
              <td>
                <NodeLink nodeId={n.nodeId} />
              </td>
              <td>
                <NodeState node={n} />
              </td>
              <td class="num">
                {n.running} / {n.slots}
              </td>
              <td class="num">{n.host ? formatPercent(n.host.cpuPercent / 100) : '–'}</td>
              <td class="num">{n.host ? ratio(n.host.memUsedBytes, n.host.memTotalBytes) : '–'}</td>
              <td class="num">{n.host ? ratio(n.host.diskUsedBytes, n.host.diskTotalBytes) : '–'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
