/** The jobs as a table: state (and why a pending job waits), where and when it ran, its items; rows selectable. */
import type { JobInfo } from '@scrapyard/protocol';
import { Link } from '../../components/link.js';
import { TableHead } from '../../components/table-head.js';
import { Time } from '../../components/time.js';
import { formatCount } from '../../format/numbers.js';
import { formatDuration } from '../../format/time.js';
import { itemsOf, keyOf, type Rows } from './live-rows.js';

export const jobHref = (j: Pick<JobInfo, 'id' | 'project'>) =>
  `/jobs/${encodeURIComponent(j.id)}?project=${encodeURIComponent(j.project)}`;

export function StateCell({ job, stopping }: { job: JobInfo; stopping?: boolean }) {
  const label = job.state === 'finished' ? (job.outcome ?? 'finished') : job.state;
  return (
    <span class={`state state-${label}`} data-state={job.state}>
      {label}
      {stopping && job.state === 'running' && ' (stopping)'}
      {job.unreachable && ' (node unreachable)'}
    </span>
  );
}

const COLUMNS = [
  { hidden: 'Select' },
  'Job',
  'Project',
  'Spider',
  'State',
  'Node',
  'Queued',
  'Ran for',
  'Items',
  'Tags',
] as const;

export function JobTable(props: {
  rows: Rows;
  now: number;
  selectable: (j: JobInfo) => boolean;
  selected: ReadonlySet<string>;
  onToggle: (key: string) => void;
}) {
  const { rows, now } = props;
  return (
    <div class="table-wrap">
      <table class="jobs-table">
        <TableHead columns={COLUMNS} />
        <tbody>
          {rows.jobs.map((j) => {
            const key = keyOf(j);
            const items = itemsOf(rows, j);
            const ran = j.startedAt === null ? null : (j.endedAt ?? now) - j.startedAt;
            return (
              <tr key={key} data-job={j.id} data-state={j.state}>
                <td>
                  {props.selectable(j) && (
                    <input
                      type="checkbox"
                      aria-label={`Select job ${j.id}`}
                      checked={props.selected.has(key)}
                      onChange={() => props.onToggle(key)}
                    />
                  )}
                </td>
                <td>
                  <Link to={jobHref(j)}>
                    <code>{j.id}</code>
                  </Link>
                  {j.attempt > 1 && <span class="badge">attempt {j.attempt}</span>}
                </td>
                <td>{j.project}</td>
                <td>{j.spider}</td>
                <td class="wrap">
                  <StateCell job={j} stopping={rows.stopping.has(key)} />
                  {j.state === 'pending' && j.pendingReason && (
                    <div class="muted pending-reason">{j.pendingReason}</div>
                  )}
                </td>
                <td>{j.nodeId ?? <span class="muted">–</span>}</td>
                <td>
                  <Time ms={j.createdAt} />
                </td>
                <td>{ran === null ? <span class="muted">–</span> : formatDuration(ran)}</td>
                <td class="num">{items === null ? <span class="muted">–</span> : formatCount(items)}</td>
                <td>{j.tags.join(', ')}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
