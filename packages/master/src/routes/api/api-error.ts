/**
 * The REST API's error dialect: a catalogue error, whoever raised it, answered as
 * `{ error: { code, message, details? } }` with the code's HTTP status.
 */
import { CatalogueError, httpStatusOf, type ErrorBody } from '@scrapyard/protocol';

/** An error a REST route raises itself (a path, query or body it refuses): a catalogue error like the core's. */
export class ApiError extends CatalogueError {}

export function restErrorOf(e: CatalogueError): { status: number; body: ErrorBody } {
  const error = { code: e.code, message: e.message, ...(e.details && { details: e.details }) };
  return { status: httpStatusOf(e.code), body: { error } };
}
