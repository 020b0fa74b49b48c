/** The longest delay a `Retry-After` may impose (1 hour): a proxy asking for more is treated as asking for this. */
export const MAX_RETRY_AFTER_MS = 60 * 60 * 1000;

/**
 * Parse a `Retry-After` header (RFC 9110 §10.2.3) into a delay in ms from `now`.
 *
 * - delta-seconds (`"120"`) -> 120 000;
 * - an HTTP date (`"Wed, 21 Oct 2015 07:28:00 GMT"`) -> the time until then, 0 if already past;
 * - absent, negative, fractional or garbage -> `undefined` (the caller's own backoff applies);
 * - anything above {@link MAX_RETRY_AFTER_MS} is capped at it.
 *
 * @example parseRetryAfter('5', Date.now()) // 5000
 * @example parseRetryAfter(new Date(now + 3000).toUTCString(), now) // 3000 (to the second)
 */
export function parseRetryAfter(header: string | null | undefined, now: number): number | undefined {
  if (header === null || header === undefined) return undefined;
  const value = header.trim();
  if (value === '') return undefined;
  if (/^\d+$/.test(value)) return Math.min(Number(value) * 1000, MAX_RETRY_AFTER_MS);
  // Only the date forms: a bare number with a sign or a fraction is malformed, not a date.
  if (/^[+-]?\d+(\.\d*)?$/.test(value) || !/[a-z]/i.test(value)) return undefined;
  const at = Date.parse(value);
  if (Number.isNaN(at)) return undefined;
  return Math.min(Math.max(0, at - now), MAX_RETRY_AFTER_MS);
}
