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

/** The log calls `stopOnSignals` makes (pino's logger fits). */
export interface StopSignalLogger {
  info(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/**
 * A daemon's signal wiring: the first signal stops `daemon` cleanly, a later one past the window exits at once
 * (130). Resolves with the exit code once the clean stop ends: 0, or 1 if it failed.
 */
export function stopOnSignals(
  daemon: { stop(): Promise<void> },
  logger: StopSignalLogger,
  o: Pick<StopSignalOptions, 'windowMs' | 'now' | 'source'> & {
    /** Logged at the first signal. */
    stopping?: string;
    /** How a forced stop ends the process (tests); default process.exit. */
    exit?: (code: number) => void;
  } = {},
): Promise<number> {
  const exit = o.exit ?? ((code: number) => process.exit(code));
  return new Promise<number>((resolve) => {
    onStopSignals({
      ...o,
      stop: (signal) => {
        logger.info({ signal }, o.stopping ?? 'stopping');
        daemon.stop().then(
          () => resolve(0),
          (e: unknown) => {
            logger.error({ err: e }, 'error while stopping');
            resolve(1);
          },
        );
      },
      coalesced: (signal) => logger.debug({ signal }, 'signal within the window of the first: same stop'),
      force: (signal) => {
        logger.warn({ signal }, 'second signal: exiting now');
        exit(130);
      },
    });
  });
}
