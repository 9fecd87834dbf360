/**
 * The API's errors as the UI shows them: every failed call becomes an `ApiError` with the catalogue's code and
 * message (`{ error: { code, message } }`), or a code of our own when no such body came back (the network, a proxy).
 */
import type { ErrorBody } from '@scrapyard/protocol';

/** The codes the UI gives failures that never reached the API's error dialect. */
export type ClientErrorCode = 'NETWORK_ERROR' | 'BAD_ANSWER';
export type ApiErrorCode = ErrorBody['error']['code'] | ClientErrorCode;

// eslint-disable-next-line no-restricted-syntax -- CatalogueError lives beside zod, which the bundle never loads
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ApiErrorCode,
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/** The error a failed answer stands for (pure): its catalogue body when it has one, else its status in words. */
export function errorFromAnswer(status: number, body: unknown, retryAfter: string | null = null): ApiError {
  const retry = retryAfter !== null && /^\d+$/.test(retryAfter) ? Number(retryAfter) : undefined;
  const error = isRecord(body) ? body['error'] : undefined;
  if (isRecord(error) && typeof error['code'] === 'string' && typeof error['message'] === 'string') {
    const details = isRecord(error['details']) ? error['details'] : {};
    const fromDetails = typeof details['retryAfterSeconds'] === 'number' ? details['retryAfterSeconds'] : undefined;
    return new ApiError(status, error['code'] as ApiErrorCode, error['message'], retry ?? fromDetails);
  }
  return new ApiError(status, 'BAD_ANSWER', `the server answered ${status} without an error body`, retry);
}

/** What the UI prints for an error: `CODE: message` (and when to retry, for a rate limit). */
export function describeError(e: unknown): { code: string; message: string } {
  if (e instanceof ApiError) {
    const retry = e.retryAfterSeconds === undefined ? '' : ` (retry in ${e.retryAfterSeconds} s)`;
    return { code: e.code, message: `${e.message}${retry}` };
  }
  return { code: 'UI_ERROR', message: e instanceof Error ? e.message : String(e) };
}
