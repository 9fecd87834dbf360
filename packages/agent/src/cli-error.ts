/** A failure of `scrapyard-agent` the user can act on, with the catalogue's code: `scrapyard-agent: CODE: …`. */
import type { ErrorCode } from '@scrapyard/protocol';

export class AgentCliError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** The one line (or paragraph) the agent's command prints on stderr for an error. */
export function formatCliError(e: unknown): string {
  if (e instanceof AgentCliError) return `scrapyard-agent: ${e.code}: ${e.message}\n`;
  return `scrapyard-agent: INTERNAL: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`;
}
