/** Fire times as the master words them in the schedule's zone (`2026-10-25T02:30:00+01:00`), UTC on hover. */
import type { FireTime } from '@scrapyard/protocol';

export function NextFires({ fires }: { fires: readonly FireTime[] }) {
  return (
    <ol class="next-fires">
      {fires.map((f) => (
        <li key={f.at}>
          <time dateTime={new Date(f.at).toISOString()} title={new Date(f.at).toISOString()}>
            {f.local}
          </time>
        </li>
      ))}
    </ol>
  );
}
