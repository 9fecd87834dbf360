/** A schedule's fires, newest first, with the reason for each skip; older ones page in on demand. */
import type { ScheduleFire } from '@scrapyard/protocol';
import { useState } from 'preact/hooks';
import { EmptyState } from '../../components/empty-state.js';
import { ErrorBanner } from '../../components/error-banner.js';
import { Link } from '../../components/link.js';
import { Time } from '../../components/time.js';
import { TableHead } from '../../components/table-head.js';
import { reasonText, statusText, triggerText } from './fire-reasons.js';
import { listFires } from '../../api/schedules.js';

export function FireHistory(props: { id: string; first: { fires: ScheduleFire[]; nextCursor: number | null } }) {
  const [older, setOlder] = useState<ScheduleFire[]>([]);
  const [cursor, setCursor] = useState<number | null | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const next = cursor === undefined ? props.first.nextCursor : cursor;
  const more = async () => {
    if (next === null) return;
    try {
      const page = await listFires(props.id, next);
      setOlder((o) => [...o, ...page.fires]);
      setCursor(page.nextCursor);
    } catch (e) {
      setError(e);
    }
  };
  const fires = [...props.first.fires, ...older];
  return (
    <section aria-labelledby="fires-title">
      <h2 id="fires-title">Fire history</h2>
      <ErrorBanner error={error} />
      {fires.length === 0 ? (
        <EmptyState title="No fires yet.">
          <p>Each fire shows up here as it happens: the job it queued, or why it was skipped.</p>
        </EmptyState>
      ) : (
        <div class="table-wrap">
          <table class="fire-history">
            <TableHead columns={['Scheduled for', 'Fired', 'Trigger', 'Result', 'Reason', 'Job']} />
            <tbody>
              {fires.map((f) => (
                <tr key={`${f.scheduledAt}-${f.firedAt}`} data-status={f.status} data-trigger={f.trigger}>
                  <td>
                    <Time ms={f.scheduledAt} />
                  </td>
                  <td>
                    <Time ms={f.firedAt} />
                  </td>
                  <td>{triggerText(f.trigger)}</td>
                  <td>
                    <span class={`state state-${f.status}`}>{statusText(f.status)}</span>
                  </td>
                  <td class="wrap">{reasonText(f)}</td>
                  <td>
                    {f.jobId ? <Link to={`/jobs/${encodeURIComponent(f.jobId)}`}>{f.jobId.slice(0, 8)}</Link> : '–'}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {next !== null && (
        <button type="button" class="secondary" onClick={() => void more()}>
          Older fires
        </button>
      )}
    </section>
  );
}
