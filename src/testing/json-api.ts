/**
 * JSON:API plumbing of the fake Oro: media types, error objects in Oro's shape and the
 * `Reply` value that handlers return instead of writing to the socket themselves.
 */
import type { Json } from '../types/index.js';

/** The only media type Oro's `/api` accepts and answers with. */
export const JSON_API = 'application/vnd.api+json';

/** Where an error points: into the request body, or at a query parameter. */
export type ErrorSource = { readonly pointer: string } | { readonly parameter: string };

/** One error object as Oro sends it (`status` is a string in the document). */
export interface ApiError {
  readonly status: string;
  readonly title: string;
  readonly detail: string;
  readonly source?: ErrorSource;
}

/** What a handler answers; the server turns it into an HTTP response. */
export interface Reply {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  /** A JSON body (serialised with the content type below), or undefined for an empty body. */
  readonly json?: Json | object;
  /** A raw text body, used for non-JSON:API answers (proxy-style 429/503). */
  readonly text?: string;
  /** Defaults to `application/vnd.api+json` when `json` is set. */
  readonly contentType?: string;
}

/** Builds one error object. */
export function apiError(status: number, title: string, detail: string, source?: ErrorSource): ApiError {
  return source === undefined ? { status: String(status), title, detail } : { status: String(status), title, detail, source };
}

/** Shorthand for a pointer source. */
export const at = (pointer: string): ErrorSource => ({ pointer });

/** Shorthand for a query-parameter source. */
export const param = (parameter: string): ErrorSource => ({ parameter });

/**
 * The HTTP status for a set of errors, as Oro's `ErrorResponseStatusCodeTrait` picks it: the one
 * status when they all agree; otherwise 400, except that any 409 among them makes it 409. So a
 * sync batch whose only problem is a stale id is a 404, and one with a conflict a 409.
 */
export function statusOf(errors: readonly ApiError[]): number {
  const statuses = new Set(errors.map((e) => Number(e.status)));
  if (statuses.size === 1) return [...statuses][0] ?? 400;
  return statuses.has(409) ? 409 : 400;
}

/** A JSON:API error document reply. */
export function errorReply(errors: readonly ApiError[], headers?: Record<string, string>): Reply {
  const reply: Reply = { status: statusOf(errors), json: { errors: errors as unknown as Json } };
  return headers === undefined ? reply : { ...reply, headers };
}

/**
 * Thrown inside a handler to stop and answer with errors; caught by the router. Keeps handler code
 * linear (validate, validate, act) without threading results through every helper.
 */
export class ApiFailure extends Error {
  constructor(
    readonly errors: readonly ApiError[],
    readonly headers?: Record<string, string>,
  ) {
    super(errors.map((e) => `${e.status} ${e.title}: ${e.detail}`).join('; '));
    this.name = 'ApiFailure';
  }
}

/** Throws an `ApiFailure` with one error. */
export function fail(status: number, title: string, detail: string, source?: ErrorSource, headers?: Record<string, string>): never {
  throw new ApiFailure([apiError(status, title, detail, source)], headers);
}

/** Oro's `YYYY-MM-DDTHH:MM:SSZ` rendering of a UTC instant. */
export function oroDateTime(ms: number): string {
  const second = Math.floor(ms / 1000);
  if (second !== lastSecond) {
    lastSecond = second;
    lastStamp = `${new Date(second * 1000).toISOString().slice(0, 19)}Z`;
  }
  return lastStamp;
}
// Thousands of writes share a second: render its stamp once.
let lastSecond = Number.NaN;
let lastStamp = '';

/** `true` when a value is a plain JSON object (not an array, not null). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
