/** scrapyard-agent's logger: pretty on a terminal, JSON otherwise, or as `logFormat` says (protocol log-format.ts). */
import { pino, type Logger, type LoggerOptions } from 'pino';
import { prettyLogsWanted, PRETTY_LOG_OPTIONS, type LogFormat } from '@scrapyard/protocol';

export async function createLogger(options: LoggerOptions, format: LogFormat): Promise<Logger> {
  if (!prettyLogsWanted(format, process.stdout.isTTY)) return pino(options);
  const { default: pretty } = await import('pino-pretty');
  return pino(options, pretty(PRETTY_LOG_OPTIONS));
}
