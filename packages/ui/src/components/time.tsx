/** A time in the browser's zone, its UTC instant on hover (the `title`). */
import { formatLocalTime, formatUtcTime } from '../format/time.js';

export function Time({ ms, zone }: { ms: number | null | undefined; zone?: string }) {
  if (ms === null || ms === undefined) return <span class="muted">–</span>;
  return (
    <time dateTime={new Date(ms).toISOString()} title={formatUtcTime(ms)}>
      {formatLocalTime(ms, zone)}
    </time>
  );
}
