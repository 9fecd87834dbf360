/** Mute for a chosen period, or unmute: nothing is sent while muted. */
import { useState } from 'preact/hooks';
import { Time } from '../../components/time.js';

const PERIODS = [
  { label: '1 hour', seconds: 3_600 },
  { label: '4 hours', seconds: 14_400 },
  { label: '1 day', seconds: 86_400 },
  { label: '1 week', seconds: 604_800 },
] as const;

export function MuteControl(props: {
  what: string;
  mutedUntil: number | null;
  mute(seconds: number): Promise<void>;
  unmute(): Promise<void>;
}) {
  const [seconds, setSeconds] = useState<number>(PERIODS[0].seconds);
  const [busy, setBusy] = useState(false);
  const run = async (f: () => Promise<void>) => {
    setBusy(true);
    try {
      await f();
    } finally {
      setBusy(false);
    }
  };
  if (props.mutedUntil !== null && props.mutedUntil > Date.now()) {
    return (
      <span class="mute">
        <span class="muted">
          muted until <Time ms={props.mutedUntil} />
        </span>{' '}
        <button
          type="button"
          class="secondary"
          disabled={busy}
          onClick={() => void run(props.unmute)}
          aria-label={`Unmute ${props.what}`}
        >
          Unmute
        </button>
      </span>
    );
  }
  return (
    <span class="mute">
      <select
        aria-label={`Mute ${props.what} for`}
        value={seconds}
        onChange={(e) => setSeconds(Number(e.currentTarget.value))}
      >
        {PERIODS.map((p) => (
          <option key={p.seconds} value={p.seconds}>
            {p.label}
          </option>
        ))}
      </select>
      <button
        type="button"
        class="secondary"
        disabled={busy}
        onClick={() => void run(() => props.mute(seconds))}
        aria-label={`Mute ${props.what}`}
      >
        Mute
      </button>
    </span>
  );
}
