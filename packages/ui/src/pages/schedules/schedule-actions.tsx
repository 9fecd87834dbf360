/** Pause, resume, run now and delete of one schedule, each offered only when the user's role allows it. */
import type { Schedule } from '@scrapyard/protocol';
import { useState } from 'preact/hooks';
import { ConfirmButton } from '../../components/confirm-button.js';
import { useSession } from '../../session/session.js';
import { deleteSchedule, pauseSchedule, resumeSchedule, runSchedule } from '../../api/schedules.js';

export function ScheduleActions(props: {
  schedule: Schedule;
  /** After a change: the caller reloads (a failure is the caller's to show). */
  done(error?: unknown): void;
  onDeleted?: () => void;
}) {
  const { can } = useSession();
  const s = props.schedule;
  const [busy, setBusy] = useState(false);
  const act = async (what: () => Promise<unknown>, after?: () => void) => {
    setBusy(true);
    try {
      await what();
      props.done();
      after?.();
    } catch (e) {
      props.done(e);
    } finally {
      setBusy(false);
    }
  };
  const configure = can('configure', s.project);
  const label = s.name ?? s.spider;
  const button = (text: string, aria: string, run: (id: string) => Promise<unknown>) => (
    <button type="button" class="secondary" disabled={busy} onClick={() => void act(() => run(s.id))} aria-label={aria}>
      {text}
    </button>
  );
  return (
    <span class="row-actions">
      {configure &&
        (s.enabled
          ? button('Pause', `Pause ${label}`, pauseSchedule)
          : button('Resume', `Resume ${label}`, resumeSchedule))}
      {can('run-schedule', s.project) && button('Run now', `Run ${label} now`, runSchedule)}
      {configure && props.onDeleted && (
        <ConfirmButton onConfirm={() => act(() => deleteSchedule(s.id), props.onDeleted)}>Delete</ConfirmButton>
      )}
    </span>
  );
}
