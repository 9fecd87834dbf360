/** Pause, resume, run now and delete of one schedule, each offered only when the user's role allows it. */
import type { Schedule } from '@scrapyard/protocol';
import { useState } from 'preact/hooks';
import { ConfirmButton } from '../../components/confirm-button.js';
import { useSession } from '../../session/session.js';
import { deleteSchedule, pauseSchedule, resumeSchedule, runSchedule } from './schedules-api.js';

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
  return (
    <span class="row-actions">
      {configure &&
        (s.enabled ? (
          <button
            type="button"
            class="secondary"
            disabled={busy}
            onClick={() => void act(() => pauseSchedule(s.id))}
            aria-label={`Pause ${label}`}
          >
            Pause
          </button>
        ) : (
          <button
            type="button"
            class="secondary"
            disabled={busy}
            onClick={() => void act(() => resumeSchedule(s.id))}
            aria-label={`Resume ${label}`}
          >
            Resume
          </button>
        ))}
      {can('run-schedule', s.project) && (
        <button
          type="button"
          class="secondary"
          disabled={busy}
          onClick={() => void act(() => runSchedule(s.id))}
          aria-label={`Run ${label} now`}
        >
          Run now
        </button>
      )}
      {configure && props.onDeleted && (
        <ConfirmButton onConfirm={() => act(() => deleteSchedule(s.id), props.onDeleted)}>Delete</ConfirmButton>
      )}
    </span>
  );
}
