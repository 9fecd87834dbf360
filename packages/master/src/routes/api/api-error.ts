/** An error of our own REST API: a stable code the client can act on, and the matching HTTP status. */
import { httpStatusOf, type ErrorCode } from '@scrapyard/protocol';

export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }

  get status(): number {
    return httpStatusOf(this.code);
  }

  toBody() {
    return { error: { code: this.code, message: this.message } };
  }
}
