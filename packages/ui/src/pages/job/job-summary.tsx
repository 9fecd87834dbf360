/** A job's facts: state, node, timings, outcome and finish reason, its settings, and its earlier attempts. */
import type { JobDetail } from '@scrapyard/protocol';
import type { ComponentChildren } from 'preact';
import { TableHead } from '../../components/table-head.js';
import { Time } from '../../components/time.js';
import { formatDuration } from '../../format/time.js';
import { StateCell } from '../jobs/job-table.js';

const names = (r: Record<string, string>) => Object.keys(r).join(', ') || '–';

export function JobSummary({ job, now, stopping }: { job: JobDetail; now: number; stopping: boolean }) {
  const ran = job.startedAt === null ? null : (job.endedAt ?? now) - job.startedAt;
  const facts: [string, ComponentChildren][] = [
    ['State', <StateCell job={job} stopping={stopping} />],
    ...(job.state === 'pending' ? [['Waiting because', job.pendingReason ?? '–'] as [string, string]] : []),
    ['Project', job.project],
    ['Spider', job.spider],
    ['Version', job.version ?? job.versionRequested ?? 'latest'],
    ['Node', job.nodeId ?? '–'],
    ['Attempt', String(job.attempt)],
    ['Queued', <Time ms={job.createdAt} />],
    ['Started', <Time ms={job.startedAt} />],
    ['Ended', <Time ms={job.endedAt} />],
    ['Ran for', ran === null ? '–' : formatDuration(ran)],
    ['Outcome', job.outcome ?? '–'],
    ['Reason', job.reason ?? '–'],
    ['Finish reason', job.stats?.finishReason ?? '–'],
    ['Exit code', job.exitCode === null ? '–' : String(job.exitCode)],
    ['Priority', String(job.priority)],
    ['Tags', job.tags.join(', ') || '–'],
    ['Arguments', names(job.args)],
    ['Settings', names(job.settings)],
  ];
  return (
    <>
      <dl class="facts">
        {facts.map(([label, value]) => (
          <div key={label} data-fact={label.toLowerCase()}>
            <dt>{label}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
      {job.attempts.length > 0 && (
        <section aria-labelledby="attempts-title">
          <h2 id="attempts-title">Earlier attempts</h2>
          <div class="table-wrap">
            <table>
              <TableHead columns={['Attempt', 'Node', 'Started', 'Ended', 'Outcome', 'Reason', 'Items']} />
              <tbody>
                {job.attempts.map((a) => (
                  <tr key={a.runId}>
                    <td>{a.attempt}</td>
                    <td>{a.nodeId ?? '–'}</td>
                    <td>
                      <Time ms={a.startedAt} />
                    </td>
                    <td>
                      <Time ms={a.endedAt} />
                    </td>
                    <td>{a.outcome}</td>
                    <td class="wrap">{a.reason ?? '–'}</td>
                    <td>{a.stats?.items ?? '–'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      )}
    </>
  );
}
