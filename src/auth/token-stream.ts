import * as client from 'openid-client';
import { asyncScheduler, ReplaySubject, type SchedulerLike, type Subscription } from 'rxjs';
import { retryAsync } from '../util/retry-async.js';
import type { RetryPolicy } from '../util/retry-policy.js';
import { HttpError, classifyStatus } from '../errors/http-error.js';
import { NetworkError } from '../errors/network-error.js';
import { OroSyncError } from '../errors/oro-sync-error.js';
import { TimeoutError } from '../errors/timeout-error.js';
import { TokenError } from '../errors/token-error.js';
import { parseRetryAfter } from '../util/retry-after.js';
import type { HttpFetch } from '../util/http.js';
import { assertSecureUrl, redactUrl } from '../util/url.js';
import type { AccessToken, TokenStream } from './types.js';

/** OAuth error codes that no retry with the same credentials will fix. */
export const PERMANENT_OAUTH_ERRORS: ReadonlySet<string> = new Set([
  'invalid_client',
  'invalid_request',
  'unsupported_grant_type',
  'unauthorized_client',
  'invalid_grant',
  'invalid_scope',
]);

/** Oro's default token lifetime, assumed when a token response has no `expires_in`. */
const DEFAULT_EXPIRES_IN_S = 3600;
/** openid-client's own request timeout (its default), in case no `fetch` with a timeout is given. */
const OPENID_TIMEOUT_S = 30;

/** The token endpoint's retries unless the caller says otherwise (about 12 s of waiting at most). */
export const DEFAULT_TOKEN_RETRY = { retries: 5, baseMs: 200, maxMs: 10_000 } as const satisfies RetryPolicy;

export interface TokenStreamOptions {
  /** `{origin}/oauth2-token` for Oro (no `/admin` prefix). */
  readonly tokenUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /**
   * The fetch the token requests go through: pass `createHttp(...).fetch` so they share the
   * keep-alive agent with the API requests. Defaults to the global `fetch`.
   */
  readonly fetch?: HttpFetch | typeof globalThis.fetch;
  /** Renew this long before expiry (default 60 000). Capped at half the token's lifetime. */
  readonly skewMs?: number;
  /** Allow plain `http://` to a non-loopback token URL (config `oro.allowInsecureHttp`). */
  readonly allowInsecureHttp?: boolean;
  /**
   * How network errors, timeouts, 429 and 5xx from the token endpoint are retried (fields not
   * given: {@link DEFAULT_TOKEN_RETRY}, then the `RetryPolicy` defaults; a `Retry-After` is
   * honoured up to `maxRetryAfterMs`). Its waits run on `scheduler` unless it names its own.
   */
  readonly retry?: RetryPolicy;
  /** The clock of the renewal timer, the retry waits and token ages; `asyncScheduler` by default. */
  readonly scheduler?: SchedulerLike;
  /** Called after every successful grant (metrics). Never given the token. */
  readonly onGrant?: () => void;
}

interface HeldToken extends AccessToken {
  /** When the renewal timer fires: `expiresAt - skew`. */
  readonly renewAt: number;
}

/**
 * The shared, refreshable OAuth2 token for one Oro credential (invariant 3), over openid-client's
 * client-credentials grant.
 *
 * - **Single flight**: however many callers ask at once, at most one token request is in flight;
 *   they all get its result.
 * - **Renewal ahead of expiry**: a timer on `scheduler` renews the token `skewMs` before it
 *   expires; `current()` also renews when it finds the token past that point. The timer is a live
 *   timer of the event loop until `shutdown()` cancels it: call `shutdown()` when done, or the
 *   process stays up for the next renewal.
 * - **401 bursts**: `refresh(rejected)` resolves at once to the current token when it is already
 *   newer than `rejected`, otherwise joins (or starts) the one grant of the burst.
 * - **Errors**: `invalid_client` and the other permanent OAuth errors reject with a `TokenError`
 *   (naming the token URL and the OAuth error, never the secret) without a retry; network errors,
 *   timeouts, 429 and 5xx are retried as the `retry` policy says (`retryAsync`: `backoffDelay`,
 *   a `Retry-After` when the endpoint sends one), then reject with the last
 *   `NetworkError` / `TimeoutError` / `HttpError`. `shutdown()` ends a retry wait at once.
 * - `grants` counts successful grants.
 *
 * ```
 * token$:  --T1---------------T2---------------T3--|   (T2 at expiresAt(T1) - skew; | = shutdown())
 * ```
 *
 * @example
 * const tokens = createTokenStream({ tokenUrl, clientId, clientSecret, fetch: http.fetch });
 * const bearer = await tokens.current();
 * // after a 401 with `bearer`:
 * const fresh = await tokens.refresh(bearer);
 * tokens.shutdown();
 *
 * @throws InsecureUrlError when `tokenUrl` is plain http:// to a non-loopback host without `allowInsecureHttp`
 */
export function createTokenStream(options: TokenStreamOptions): TokenStream {
  const allowInsecureHttp = options.allowInsecureHttp ?? false;
  assertSecureUrl(options.tokenUrl, allowInsecureHttp, 'oro.allowInsecureHttp');
  const tokenUrl = redactUrl(options.tokenUrl);
  const skewMs = options.skewMs ?? 60_000;
  const scheduler = options.scheduler ?? asyncScheduler;
  const now = (): number => scheduler.now();
  const retry: RetryPolicy = { ...DEFAULT_TOKEN_RETRY, scheduler, ...options.retry };

  const parsed = new URL(options.tokenUrl);
  // Oro has no discovery document: the metadata is configured by hand.
  const config = new client.Configuration(
    { issuer: parsed.origin, token_endpoint: options.tokenUrl },
    options.clientId,
    { client_secret: options.clientSecret },
    client.ClientSecretPost(options.clientSecret),
  );
  config.timeout = OPENID_TIMEOUT_S;
  if (options.fetch) config[client.customFetch] = options.fetch as unknown as client.CustomFetch;
  // Reaching here with http:// means loopback or an explicit opt-in (assertSecureUrl above).
  if (parsed.protocol === 'http:') client.allowInsecureRequests(config);

  const subject = new ReplaySubject<AccessToken>(1);
  let token: HeldToken | undefined;
  let inflight: Promise<HeldToken> | undefined;
  let renewal: Subscription | undefined;
  let closed = false;
  let grants = 0;
  // Keeping no process alive needs no unref: shutdown() cancels the renewal and aborts a retry
  // wait (it rejects with the shutdown error), and every owner shuts the stream down (the CLI's
  // runtime does in every command's `finally`), so no timer of this stream outlives its use.
  const stopping = new AbortController();

  const shutDownError = (): Error => new Error(`token stream for ${tokenUrl} is shut down`);

  async function requestToken(): Promise<HeldToken> {
    const sentAt = now();
    let response: client.TokenEndpointResponse;
    try {
      response = await client.clientCredentialsGrant(config);
    } catch (error) {
      throw await classify(error, tokenUrl, now);
    }
    const lifetimeMs = (response.expires_in ?? DEFAULT_EXPIRES_IN_S) * 1000;
    const expiresAt = sentAt + lifetimeMs;
    return { value: response.access_token, expiresAt, renewAt: expiresAt - Math.min(skewMs, lifetimeMs / 2) };
  }

  const grantWithRetry = (): Promise<HeldToken> => retryAsync(() => requestToken(), retry, { signal: stopping.signal });

  function schedule(held: HeldToken): void {
    renewal?.unsubscribe();
    renewal = scheduler.schedule(() => {
      renewal = undefined;
      // A failed renewal is not lost: the old token stays usable until it expires, and the next
      // current() past renewAt grants again and hands its error to a caller that can report it.
      grant().catch(() => undefined);
    }, Math.max(0, held.renewAt - now()));
  }

  function grant(): Promise<HeldToken> {
    if (closed) return Promise.reject(shutDownError());
    if (inflight) return inflight;
    const flight = grantWithRetry().then((held) => {
      grants += 1;
      if (!closed) {
        token = held;
        schedule(held);
        subject.next({ value: held.value, expiresAt: held.expiresAt });
      }
      options.onGrant?.();
      return held;
    });
    inflight = flight;
    const clear = (): void => {
      if (inflight === flight) inflight = undefined;
    };
    flight.then(clear, clear);
    return flight;
  }

  return {
    token$: subject.asObservable(),
    get grants() {
      return grants;
    },
    async current() {
      if (closed) throw shutDownError();
      if (token && now() < token.renewAt) return token.value;
      return (await grant()).value;
    },
    async refresh(rejected: string) {
      if (closed) throw shutDownError();
      if (token && token.value !== rejected && now() < token.renewAt) return token.value;
      if (!inflight && token?.value === rejected) token = undefined; // current() must not hand it out again
      return (await grant()).value;
    },
    shutdown() {
      if (closed) return;
      closed = true;
      renewal?.unsubscribe();
      renewal = undefined;
      stopping.abort(shutDownError());
      subject.complete();
    },
  };
}

interface ResponseLike {
  readonly status: number;
  readonly headers: { get(name: string): string | null };
  json?(): Promise<unknown>;
  readonly bodyUsed?: boolean;
}

function isResponseLike(value: unknown): value is ResponseLike {
  return typeof value === 'object' && value !== null && typeof (value as ResponseLike).status === 'number' && 'headers' in value;
}

/** The first oro-sync error in a cause chain (our fetch's NetworkError / TimeoutError, wrapped by openid-client). */
function ownErrorIn(error: unknown): OroSyncError | undefined {
  for (let e: unknown = error, depth = 0; e !== undefined && e !== null && depth < 5; depth++) {
    if (e instanceof OroSyncError) return e;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Turn whatever openid-client threw into one of our errors, `docs/oro-api.md` §1. */
async function classify(error: unknown, tokenUrl: string, now: () => number): Promise<OroSyncError> {
  const own = ownErrorIn(error);
  if (own) return own;

  if (error instanceof client.ResponseBodyError) {
    const transient = classifyStatus(error.status) === 'transient';
    if (PERMANENT_OAUTH_ERRORS.has(error.error) || !transient) {
      return new TokenError(tokenUrl, error.error, error.error_description, { cause: error });
    }
    return new HttpError('POST', tokenUrl, error.status, [{ status: String(error.status), title: error.error, detail: error.error_description }],
      parseRetryAfter(error.response.headers.get('retry-after'), now()));
  }

  if (error instanceof client.WWWAuthenticateChallengeError) {
    // A 401 with a challenge (league/oauth2-server adds one for Basic auth): the body, if any,
    // still says which OAuth error it was.
    const body = await readJson(error.response);
    const code = typeof body?.['error'] === 'string' ? body['error'] : 'invalid_client';
    const description = typeof body?.['error_description'] === 'string' ? body['error_description'] : undefined;
    return new TokenError(tokenUrl, code, description ?? `the token endpoint answered ${error.status}`, { cause: error });
  }

  if (error instanceof client.ClientError) {
    const cause = error.cause;
    if (error.code === 'OAUTH_TIMEOUT') return new TimeoutError('POST', tokenUrl, OPENID_TIMEOUT_S * 1000);
    if (isResponseLike(cause)) {
      const status = cause.status;
      const retryAfter = parseRetryAfter(cause.headers.get('retry-after'), now());
      if (classifyStatus(status) === 'transient') return new HttpError('POST', tokenUrl, status, [], retryAfter);
      const contentType = cause.headers.get('content-type') ?? 'no content type';
      return new TokenError(tokenUrl, status === 401 ? 'invalid_client' : 'invalid_response',
        `the token endpoint answered ${status} (${contentType}) without a usable OAuth response`, { cause: error });
    }
    return new TokenError(tokenUrl, 'invalid_response', error.message, { cause: error });
  }

  // The global fetch reports network failures as `TypeError: fetch failed`.
  if (error instanceof TypeError && error.message === 'fetch failed') return new NetworkError('POST', tokenUrl, error.cause ?? error);
  return new TokenError(tokenUrl, 'unexpected_error', error instanceof Error ? error.message : String(error), { cause: error });
}

async function readJson(response: ResponseLike): Promise<Record<string, unknown> | undefined> {
  try {
    if (response.bodyUsed || !response.json) return undefined;
    const body = await response.json();
    return typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
