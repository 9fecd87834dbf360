/**
 * SIGINT/SIGTERM handling of both daemons: the first signal starts a clean stop; a signal during that stop forces an
 * exit, unless it arrives within `windowMs` of the first. Ctrl-C under `pnpm exec` (or any wrapper that forwards
 * signals) delivers two: the terminal sends SIGINT to the whole process group, and the wrapper, which got it too,
 * forwards SIGTERM a moment later. Those are one request to stop, not an operator insisting. Shared by both daemons,
 * so it lives here (the master may not import the agent's modules).
 */
export const SIGNAL_WINDOW_MS = 2_000;

export interface StopSignalOptions {
  /** The first signal: start a clean stop. */
  stop: (signal: NodeJS.Signals) => void;
  /** A later signal, past the window: stop now. */
  force: (signal: NodeJS.Signals) => void;
  /** A signal within the window of the first: counted with it (e.g. log at debug). */
  coalesced?: (signal: NodeJS.Signals) => void;
  windowMs?: number;
  /** Monotonic milliseconds. */
  now?: () => number;
  /** Where the signals come from (tests); default the process. */
  source?: { on(event: 'SIGINT' | 'SIGTERM', listener: () => void): unknown };
}

export function onStopSignals(o: StopSignalOptions): void {
  const now = o.now ?? (() => performance.now());
  const windowMs = o.windowMs ?? SIGNAL_WINDOW_MS;
  const source = o.source ?? process;
  let first: number | null = null;
  const handle = (signal: NodeJS.Signals) => {
    const t = now();
    if (first === null) {
      first = t;
      o.stop(signal);
    } else if (t - first < windowMs) {
      o.coalesced?.(signal);
    } else {
      o.force(signal);
    }
  };
  for (const s of ['SIGINT', 'SIGTERM'] as const) source.on(s, () => handle(s));
}
