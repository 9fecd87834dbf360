/**
 * How the daemons write their logs (`log_format`): readable lines for a person at a terminal, JSON lines for
 * everything else (journald, docker, a log shipper). Each daemon's logger.ts applies it; pino-pretty is imported
 * there only when pretty lines are wanted.
 */
export const LOG_FORMATS = ['auto', 'json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export function prettyLogsWanted(format: LogFormat, stdoutIsTTY: boolean | undefined): boolean {
  return format === 'pretty' || (format === 'auto' && stdoutIsTTY === true);
}

/**
 * pino-pretty's options: synchronous and in the daemon's thread, since a worker-thread transport would cost a
 * second V8 isolate's memory.
 */
export const PRETTY_LOG_OPTIONS = { sync: true, translateTime: 'SYS:standard' } as const;
