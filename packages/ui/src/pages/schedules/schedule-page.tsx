/** /schedules/:id: the schedule, its next fires, its fire history (live on `schedule.fired`), edit and actions. */
import { useState } from 'preact/hooks';
import { EmptyState } from '../../components/empty-state.js';
import { ErrorBanner } from '../../components/error-banner.js';
import { Link } from '../../components/link.js';
import { useLoad } from '../../components/use-load.js';
import { useLive } from '../../live/use-live.js';
import { navigate } from '../../navigation.js';
import { useSession } from '../../session/session.js';
import { FireHistory } from './fire-history.js';
import { ScheduleActions } from './schedule-actions.js';
import { ScheduleEditor } from './schedule-editor.js';
import { getSchedule, listFires, nextFires } from '../../api/schedules.js';
import { timingText } from './schedules-page.js';
import { jobPolicyText } from './schedule-form.js';
import { NextFires } from './next-fires.js';

export function SchedulePage({ id }: { id: string }) {
  const { can } = useSession();
  const { data, error, reload } = useLoad(
    () =>
      Promise.all([getSchedule(id), nextFires(id), listFires(id)]).then(([schedule, next, fires]) => ({
        schedule,
        next,
        fires,
      })),
    [id],
  );
  const [editing, setEditing] = useState(false);
  const [actionError, setActionError] = useState<unknown>(undefined);
  useLive({
    event: (type, e) => type === 'schedule.fired' && (e as { scheduleId?: string }).scheduleId === id && reload(),
    reset: reload,
  });
  const done = (e?: unknown) => {
    setActionError(e);
    reload();
  };
  if (!data) {
    return (
      <>
        <h1>Schedule</h1>
        <ErrorBanner error={error} />
        {!error && <p class="muted">Loading…</p>}
        <Link to="/schedules">All schedules</Link>
      </>
    );
  }
  const s = data.schedule;
  return (
    <>
      <p>
        <Link to="/schedules">← Schedules</Link>
      </p>
      <div class="page-head">
        <h1>{s.name ?? `${s.project}/${s.spider}`}</h1>
        <span class={`state state-${s.enabled ? 'enabled' : 'paused'}`} data-testid="schedule-state">
          {s.enabled ? 'enabled' : 'paused'}
        </span>
      </div>
      <ErrorBanner error={actionError ?? error} onDismiss={actionError ? () => setActionError(undefined) : undefined} />
      <div class="page-head">
        <ScheduleActions schedule={s} done={done} onDeleted={() => navigate('/schedules')} />
        {can('configure', s.project) && !editing && (
          <button type="button" class="secondary" onClick={() => setEditing(true)}>
            Edit
          </button>
        )}
      </div>
      {editing ? (
        <ScheduleEditor
          schedule={s}
          onSaved={() => {
            setEditing(false);
            reload();
          }}
          onCancel={() => setEditing(false)}
        />
      ) : (
        <dl class="schedule-facts card">
          <dt>Spider</dt>
          <dd>
            {s.project}/{s.spider}
            {s.version && ` (version ${s.version})`}
          </dd>
          <dt>When</dt>
          <dd>
            <code>{timingText(s)}</code>
          </dd>
          <dt>Arguments</dt>
          <dd>
            {Object.keys(s.args).length === 0
              ? 'none'
              : Object.entries(s.args)
                  .map(([k, v]) => `${k}=${v}`)
                  .join(', ')}
          </dd>
          <dt>Overlap</dt>
          <dd>{s.overlap}</dd>
          <dt>Misfires</dt>
          <dd>{s.misfire}</dd>
          <dt>Run limits</dt>
          <dd data-testid="schedule-policy">{jobPolicyText(s.policy)}</dd>
        </dl>
      )}
      <section aria-labelledby="next-title">
        <h2 id="next-title">Next fires ({data.next.timezone})</h2>
        {!s.enabled && <p class="muted">Paused: nothing fires until it is resumed.</p>}
        {data.next.fires.length === 0 ? (
          <EmptyState title="No fire left.">
            <p>Its end time has passed; edit the schedule to move it.</p>
          </EmptyState>
        ) : (
          <NextFires fires={data.next.fires} />
        )}
      </section>
      <FireHistory key={`${data.fires.fires[0]?.firedAt ?? 0}`} id={id} first={data.fires} />
    </>
  );
}
