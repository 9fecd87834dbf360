/** /schedules: every schedule the user may read, its next fire and last fire, live on `schedule.fired`. */
import type { Schedule } from '@scrapyard/protocol';
import { useState } from 'preact/hooks';
import { EmptyState } from '../../components/empty-state.js';
import { ErrorBanner } from '../../components/error-banner.js';
import { Link } from '../../components/link.js';
import { Time } from '../../components/time.js';
import { useLoad } from '../../components/use-load.js';
import { TableHead } from '../../components/table-head.js';
import { useLive } from '../../live/use-live.js';
import { useSession } from '../../session/session.js';
import { statusText } from './fire-reasons.js';
import { ScheduleActions } from './schedule-actions.js';
import { listSchedules } from '../../api/schedules.js';

export function timingText(s: Pick<Schedule, 'cron' | 'intervalSeconds' | 'timezone'>): string {
  return s.cron !== null ? `${s.cron} (${s.timezone})` : `every ${s.intervalSeconds} s`;
}

export function SchedulesPage() {
  const { can } = useSession();
  const { data, error, loading, reload } = useLoad(listSchedules);
  const [actionError, setActionError] = useState<unknown>(undefined);
  // A fire moves a schedule's next and last fire: the list is asked again (one small call per fire).
  useLive({ event: (type) => type === 'schedule.fired' && reload(), reset: reload });
  const done = (e?: unknown) => {
    setActionError(e);
    reload();
  };
  return (
    <>
      <div class="page-head">
        <h1>Schedules</h1>
        {can('configure') && (
          <Link to="/schedules/new" class="button">
            New schedule
          </Link>
        )}
      </div>
      <ErrorBanner error={actionError ?? error} onDismiss={actionError ? () => setActionError(undefined) : undefined} />
      {loading && !data && <p class="muted">Loading…</p>}
      {data && data.schedules.length === 0 && (
        <EmptyState title="No schedules yet.">
          <p>
            {can('configure')
              ? 'Create one to run a spider on a cron expression or every N seconds.'
              : 'A maintainer of a project can create one; none of the projects you read has any.'}
          </p>
        </EmptyState>
      )}
      {data && data.schedules.length > 0 && (
        <div class="table-wrap">
          <table>
            <TableHead
              columns={['Schedule', 'Project', 'When', 'Next fire', 'Last fire', 'State', { hidden: 'Actions' }]}
            />
            <tbody>
              {data.schedules.map((s) => (
                <tr key={s.id} data-schedule={s.name ?? s.id}>
                  <td>
                    <Link to={`/schedules/${encodeURIComponent(s.id)}`}>{s.name ?? `${s.spider}`}</Link>
                    {s.name && <span class="muted"> {s.spider}</span>}
                  </td>
                  <td>{s.project}</td>
                  <td>
                    <code>{timingText(s)}</code>
                  </td>
                  <td>{s.enabled ? <Time ms={s.nextFireAt} /> : <span class="muted">paused</span>}</td>
                  <td>
                    {s.lastFire ? (
                      <>
                        <Time ms={s.lastFire.firedAt} /> <span class="muted">{statusText(s.lastFire.status)}</span>
                      </>
                    ) : (
                      <span class="muted">never</span>
                    )}
                  </td>
                  <td>
                    <span class={`state state-${s.enabled ? 'enabled' : 'paused'}`}>
                      {s.enabled ? 'enabled' : 'paused'}
                    </span>
                  </td>
                  <td>
                    <ScheduleActions schedule={s} done={done} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
