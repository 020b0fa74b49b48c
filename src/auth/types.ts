import type { Observable } from 'rxjs';

/** A bearer token and when it stops being valid. */
export interface AccessToken {
  readonly value: string;
  /** Epoch ms at which Oro will stop accepting it (grant time + `expires_in`). */
  readonly expiresAt: number;
}

/**
 * The one token stream shared by every request for one Oro credential (invariant 3).
 *
 * - `current()` resolves to a valid token, obtaining one if there is none (single flight: 64
 *   concurrent callers cause one grant).
 * - The token is renewed ahead of expiry (a skew), again as one grant.
 * - `refresh(rejected)` is called by a request that got a 401 with `rejected`; a burst of such calls
 *   for the same token causes one grant, and all of them get the new token.
 * - Permanent OAuth errors (`invalid_client`, ...) reject with a `TokenError`; network errors and 5xx
 *   at the token endpoint are retried with backoff first.
 *
 * @example
 * ```ts
 * const { tokens, close } = createOro({ baseUrl, clientId, clientSecret });
 * const bearer = await tokens.current();   // one grant, however many callers ask at once
 * close();                                 // stops the renewal timer, closes the agents
 * ```
 */
export interface TokenStream {
  /** Emits the current token and every renewal; shared and replayed. Completes on `shutdown()`. */
  readonly token$: Observable<AccessToken>;
  /** A valid token now. */
  current(): Promise<string>;
  /** The token `rejected` got a 401: resolves to a newer one (one grant per burst). */
  refresh(rejected: string): Promise<string>;
  /** How many grants were made so far (for metrics and tests). */
  readonly grants: number;
  /** Stop the renewal timer and complete `token$`. Idempotent. */
  shutdown(): void;
}
