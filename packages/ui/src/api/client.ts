/**
 * The one way the UI talks to the master's REST API: JSON in and out, the session's CSRF token on every
 * state-changing request, and every failure thrown as an `ApiError` (errors.ts) for the page to show.
 */
import { ApiError, errorFromAnswer } from './errors.js';

export { ApiError } from './errors.js';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

const SAFE = new Set<Method>(['GET']);

let csrfToken: string | undefined;
const unauthorizedListeners = new Set<() => void>();

/** Set from SessionWho at login and on start; cleared at logout. */
export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
}

/** For the one call that can't go through `request()`: an upload with progress (upload.ts). */
export function currentCsrfToken(): string | undefined {
  return csrfToken;
}

/** Told when a call is refused for want of a session (it expired, was revoked): the app goes to the login page. */
export function onUnauthorized(listener: () => void): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

export interface RequestOptions {
  body?: unknown;
  /** A 401 is the caller's to show (a login, asking who one is), not a lost session. */
  expectUnauthorized?: boolean;
}

/** Calls `path` (under /api/v1 or absolute) and answers its JSON body (undefined for 204). */
export async function request<T>(method: Method, path: string, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  if (!SAFE.has(method) && csrfToken !== undefined) headers['x-csrf-token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(path.startsWith('/') ? path : `/api/v1/${path}`, {
      method,
      headers,
      credentials: 'same-origin',
      ...(opts.body !== undefined && { body: JSON.stringify(opts.body) }),
    });
  } catch (e) {
    throw new ApiError(0, 'NETWORK_ERROR', `the master did not answer (${e instanceof Error ? e.message : e})`);
  }
  const text = await res.text();
  let body: unknown;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (!res.ok) {
    const error = errorFromAnswer(res.status, body, res.headers.get('retry-after'));
    if (res.status === 401 && !opts.expectUnauthorized) for (const l of unauthorizedListeners) l();
    throw error;
  }
  if (text !== '' && body === undefined) {
    throw new ApiError(res.status, 'BAD_ANSWER', `the answer of ${method} ${path} is not JSON`);
  }
  return body as T;
}

export const api = {
  get: <T>(path: string, opts?: RequestOptions) => request<T>('GET', path, opts),
  post: <T>(path: string, body?: unknown, opts?: RequestOptions) => request<T>('POST', path, { ...opts, body }),
  patch: <T>(path: string, body?: unknown) => request<T>('PATCH', path, { body }),
  put: <T>(path: string, body?: unknown) => request<T>('PUT', path, { body }),
  delete: <T = void>(path: string, opts?: RequestOptions) => request<T>('DELETE', path, opts),
};
