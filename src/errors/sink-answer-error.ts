import type { ErrorDetail } from '../types/outcome.js';
import { HttpError } from './http-error.js';

/**
 * A non-2xx answer from a sink's HTTP endpoint (an ERP's API, `sink.kind: "http"`). Unlike Oro's,
 * its body is no JSON:API error document we could read: what the record's dead letter keeps is
 * the status and the start of the answer, with the request's header values scrubbed out. A
 * subclass of {@link HttpError}, so that a 429 or 503 slows the run's limiter as Oro's do.
 *
 * @example
 * ```ts
 * if (error instanceof SinkAnswerError && error.status === 400) console.log(error.answerStart);   // {"error":"unknown customer"}
 * ```
 */
export class SinkAnswerError extends HttpError {
  constructor(
    method: string,
    /** The request URL without credentials. */
    url: string,
    status: number,
    /** The first characters of the answer, secrets scrubbed; `(empty answer)` when there was none. */
    readonly answerStart: string,
    retryAfterMs?: number,
  ) {
    super(method, url, status, [], retryAfterMs);
    this.message = `${method} ${url} answered ${status}: ${answerStart}`;
  }

  override toDetails(): ErrorDetail[] {
    return [{ status: String(this.status), title: `${this.method} ${this.url} answered ${this.status}`, detail: this.answerStart }];
  }
}
