/**
 * A domain error whose message is also the exact text Scrapyd clients see (docs/scrapyd-api.md §1.4). It is an
 * ApiError like every other error of ours: one catalogue of codes (`@scrapyard/protocol` errors.ts), so the REST
 * API answers it with its code and HTTP status, and the Scrapyd API with HTTP 200 and `status: "error"`.
 */
import type { ErrorCode } from '@scrapyard/protocol';
import { ApiError } from '../api/api-error.js';

export class ScrapydError extends ApiError {
  constructor(message: string, code: ErrorCode = 'BAD_REQUEST') {
    super(code, message);
    this.name = 'ScrapydError';
  }
}

export const notFound = {
  project: (p: string) => new ScrapydError(`project '${p}' not found`, 'PROJECT_NOT_FOUND'),
  version: (v: string) => new ScrapydError(`version '${v}' not found`, 'VERSION_NOT_FOUND'),
  spider: (s: string) => new ScrapydError(`spider '${s}' not found`, 'SPIDER_NOT_FOUND'),
};
