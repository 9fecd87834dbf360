/** The dashboard's lists: running jobs with live counts, recent failures, alerts firing, node health. */
import type { Alert, NodeInfo } from '@scrapyard/protocol';
import { EmptyState } from '../../components/empty-state.js';
import { Link } from '../../components/link.js';
import { Time } from '../../components/time.js';
import { formatCount, formatPercent } from '../../format/numbers.js';
import { nodeState } from '../nodes/node-events.js';
import type { Failure } from './recent-failures.js';
import type { RunningJob } from './running-jobs.js';

const jobPath = (id: string) => `/jobs/${encodeURIComponent(id)}`;
const nodePath = (id: string) => `/nodes/${encodeURIComponent(id)}`;
const loading = <p class="muted">Loading…</p>;

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
        <thead>
          <tr>
            <th scope="col">Job</th>
            <th scope="col">Project / spider</th>
            {showNode && <th scope="col">Node</th>}
            <th scope="col">Started</th>
            <th scope="col" class="num">
              Items
            </th>
            <th scope="col" class="num">
              Requests
            </th>
            <th scope="col" class="num">
              Errors
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.jobId} data-running-job={r.jobId}>
              <td>
                <Link to={jobPath(r.jobId)}>{r.jobId.slice(0, 12)}</Link>
              </td>
              <td>
                {r.project} / {r.spider}
              </td>
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
        <thead>
          <tr>
            <th scope="col">Job</th>
            <th scope="col">Project / spider</th>
            <th scope="col">Outcome</th>
            <th scope="col">Why</th>
            <th scope="col">Ended</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.jobId} data-failed-job={r.jobId}>
              <td>
                <Link to={jobPath(r.jobId)}>{r.jobId.slice(0, 12)}</Link>
              </td>
              <td>
                {r.project} / {r.spider}
              </td>
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
        <thead>
          <tr>
            <th scope="col">Node</th>
            <th scope="col">State</th>
            <th scope="col" class="num">
              Running / slots
            </th>
            <th scope="col" class="num">
              CPU
            </th>
            <th scope="col" class="num">
              Memory
            </th>
            <th scope="col" class="num">
              Disk
            </th>
          </tr>
        </thead>
        <tbody>
          {nodes.map((n) => (
            <tr key={n.nodeId} data-node={n.nodeId}>
              <td>
                <Link to={nodePath(n.nodeId)}>{n.nodeId}</Link>
              </td>
              <td>
                <span class={n.online && !n.revoked ? 'badge ok' : 'badge bad'} data-node-state>
                  {nodeState(n)}
                </span>
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
