import { asyncScheduler, defer, lastValueFrom, type Observable } from 'rxjs';
import { detailsOf, isTransient } from '../errors/classify.js';
import { HttpError } from '../errors/http-error.js';
import { SinkAnswerError } from '../errors/sink-answer-error.js';
import type { Limiter } from '../oro/limiter.js';
import { retryTransient } from '../operators/retry.js';
import { throttleRequests } from '../operators/throttle.js';
import type { Deliver, Delivery, DeliveryResult } from '../types/delivery.js';
import type { HttpSend } from '../util/http.js';
import { scrubSecrets } from '../util/redact.js';
import { parseRetryAfter } from '../util/retry-after.js';
import type { RetryPolicy } from '../util/retry-policy.js';
import { redactUrl } from '../util/url.js';
import { idempotencyKey } from './delivery.js';

/** Options of {@link httpSink}. */
export interface HttpSinkOptions {
  readonly url: string;
  /** Default `POST`. */
  readonly method?: string;
  /** Extra request headers (credentials, mostly): their values never appear in errors or logs. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Records per request (default 1: the body is the record; above 1, an array of records). */
  readonly batchSize?: number;
  /** The HTTP stack to send through (its timeout applies): `createHttp(...).send`. */
  readonly send: HttpSend;
  /** Bounds the requests in flight and their rate; a 429/503 slows it (see `throttleRequests`). */
  readonly limiter?: Limiter;
  /**
   * How a request is retried (`retryTransient`): 408, 429, 5xx and network errors, waiting what
   * `Retry-After` says; its `isRetryable` is the sink's own. Default: the `RetryPolicy` defaults.
   */
  readonly retry?: RetryPolicy;
}

/** How much of an answer a rejected record's dead letter keeps. */
export const ANSWER_START = 200;

const SENT: DeliveryResult = { status: 'sent' };

/**
 * The answers worth another attempt at the same request: 408, 429, 5xx, and no answer at all
 * (network, timeout). Any other answer outside 2xx (a 4xx, a redirect, which is not followed
 * for a POST) would be the same again: the record is refused.
 */
export function worthRetrying(error: unknown): boolean {
  if (error instanceof HttpError) return error.status === 408 || error.status === 429 || error.status >= 500;
  return isTransient(error);
}

/**
 * The `http` sink: each record as JSON to `url` (`batchSize` records per request, as an array
 * when above 1), with `Content-Type: application/json` and an `Idempotency-Key` that is the digest
 * of the content (see `idempotencyKey`): every attempt of a request carries the same key, and so
 * does a later run delivering the same content, so the endpoint can tell a redelivery.
 *
 * - 2xx: the records are `sent`;
 * - 408, 429, 5xx, network errors and timeouts: retried as `retry` says (`Retry-After` honoured),
 *   then `failed`;
 * - any other answer: `rejected`, with the status and the first {@link ANSWER_START} characters
 *   of the answer.
 *
 * Header values are scrubbed from what an answer is quoted in (an endpoint may echo them).
 *
 * @example
 * ```ts
 * const http = createHttp({ concurrency: 8, timeoutMs: 30_000 });
 * const deliver = httpSink({ url: 'https://erp.example.com/api/orders', headers: { Authorization: `Bearer ${token}` }, send: http.send });
 * records$.pipe(toSink({ deliver, concurrency: 8 }));
 * ```
 */
export function httpSink(options: HttpSinkOptions): Deliver {
  const method = (options.method ?? 'POST').toUpperCase();
  const shownUrl = redactUrl(options.url);
  const size = options.batchSize ?? 1;
  const secrets = Object.values(options.headers ?? {}).filter((value) => value.length >= 4);
  const scheduler = options.retry?.scheduler ?? asyncScheduler;
  const retry: RetryPolicy = { ...options.retry, isRetryable: worthRetrying };

  const attempt = async (body: string, key: string): Promise<void> => {
    const headers = { 'Content-Type': 'application/json', Accept: 'application/json, */*', ...options.headers, 'Idempotency-Key': key };
    const answer = await options.send(options.url, { method, headers, body, redirect: 'manual' });
    if (answer.status >= 200 && answer.status < 300) return;
    const retryAfter = parseRetryAfter(answer.headers.get('Retry-After'), scheduler.now());
    throw new SinkAnswerError(method, shownUrl, answer.status, answerStart(answer.body, secrets), retryAfter);
  };

  const request = async (chunk: readonly Delivery[]): Promise<readonly DeliveryResult[]> => {
    const body = size > 1 ? `[${chunk.map((d) => d.text).join(',')}]` : (chunk[0] as Delivery).text;
    const key = idempotencyKey(chunk);
    let request$: Observable<void> = defer(() => attempt(body, key));
    if (options.limiter) request$ = request$.pipe(throttleRequests(options.limiter));
    try {
      await lastValueFrom(request$.pipe(retryTransient(retry)), { defaultValue: undefined });
      return chunk.map(() => SENT);
    } catch (error) {
      const result: DeliveryResult = { status: worthRetrying(error) ? 'failed' : 'rejected', errors: detailsOf(error).map((e) => scrubbed(e, secrets)) };
      return chunk.map(() => result);
    }
  };

  return async (batch) => {
    const chunks: Delivery[][] = [];
    for (let i = 0; i < batch.length; i += size) chunks.push(batch.slice(i, i + size));
    return (await Promise.all(chunks.map(request))).flat();
  };
}

/** The start of an answer, on one line, without the request's header values or other secrets. */
function answerStart(body: string, secrets: readonly string[]): string {
  // Scrubbed before it is cut: a secret cut in two would not be found.
  const line = scrub(body.replace(/\s+/g, ' ').trim(), secrets);
  if (line === '') return '(empty answer)';
  return line.length > ANSWER_START ? `${line.slice(0, ANSWER_START)}…` : line;
}

function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) out = out.split(secret).join('[redacted]');
  return scrubSecrets(out);
}

function scrubbed<E extends { readonly title: string; readonly detail?: string }>(error: E, secrets: readonly string[]): E {
  return { ...error, title: scrub(error.title, secrets), ...(error.detail !== undefined ? { detail: scrub(error.detail, secrets) } : {}) };
}
