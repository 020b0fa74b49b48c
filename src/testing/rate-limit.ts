/**
 * A token-bucket rate limiter per client, as nginx `limit_req` or a CDN in front of Oro applies
 * it (Oro itself never answers 429). Pure: the clock is injected, so tests run on virtual time.
 */

/** `perSecond` tokens are added every second, up to `burst` (the bucket's size, default `perSecond`). */
export interface RateLimit {
  readonly perSecond: number;
  readonly burst?: number;
}

/** The verdict for one request: allowed, or refused with the whole seconds to wait. */
export type RateDecision = { readonly allowed: true } | { readonly allowed: false; readonly retryAfterSeconds: number };

interface Bucket {
  tokens: number;
  at: number;
}

/** One bucket per key (an OAuth client id, or a remote address), full at first. */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly burst: number;

  constructor(
    private readonly limit: RateLimit,
    private readonly now: () => number,
  ) {
    if (!(limit.perSecond > 0)) throw new RangeError(`rate limit: perSecond must be > 0, got ${limit.perSecond}`);
    this.burst = Math.max(1, limit.burst ?? Math.ceil(limit.perSecond));
  }

  /** Takes one token for `key`; when none is left, says how long until the next one (rounded up, at least 1 s). */
  take(key: string): RateDecision {
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: this.burst, at: now };
    bucket.tokens = Math.min(this.burst, bucket.tokens + (Math.max(0, now - bucket.at) / 1000) * this.limit.perSecond);
    bucket.at = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1 - 1e-9) {
      bucket.tokens -= 1;
      return { allowed: true };
    }
    const waitMs = ((1 - bucket.tokens) / this.limit.perSecond) * 1000;
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
  }
}
