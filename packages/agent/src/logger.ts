/**
 * The daemons' logger (scrapyard-master and scrapyard-agent): human-readable lines when stdout is a terminal,
 * JSON lines otherwise (journald, docker, a log shipper), or as `log_format` forces. pino-pretty is imported only
 * when it is used, so a daemon writing JSON never loads it.
 */
import { pino, type Logger, type LoggerOptions } from 'pino';

export const LOG_FORMATS = ['auto', 'json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export async function createLogger(
  options: LoggerOptions,
  format: LogFormat,
  stdout: { isTTY?: boolean } = process.stdout,
): Promise<Logger> {
  if (format === 'json' || (format === 'auto' && stdout.isTTY !== true)) return pino(options);
  const { default: pretty } = await import('pino-pretty');
  // Synchronous and in this thread: a worker-thread transport would cost a second V8 isolate's memory.
  return pino(options, pretty({ sync: true, colorize: stdout.isTTY === true, translateTime: 'SYS:standard' }));
}
