/**
 * Keeps secrets out of what oro-sync persists (invariant 6): dead letters, run history.
 *
 * Two defences, because secrets arrive both as structured fields and inside free text
 * (an error detail quoting a request header):
 * - keys that name a secret are dropped, at any depth;
 * - strings are scrubbed of `Bearer <token>`, `Authorization: <anything>` and `secret=value` /
 *   `"token": "value"` pairs.
 */

/**
 * Normalised (lower case, letters and digits only) key endings that name a secret:
 * `password`, `clientSecret`, `client_secret`, `access_token`, `refreshToken`, `Authorization`,
 * `Proxy-Authorization`, `apiKey`, `Cookie`. `tokenUrl` or `tokenType` do not end so and are kept.
 */
const SECRET_KEY_ENDINGS = ['authorization', 'password', 'passwd', 'secret', 'token', 'apikey', 'cookie'];

/** True when an object key names a secret (case-insensitive, `_`/`-` ignored). */
export function isSecretKey(key: string): boolean {
  const k = key.toLowerCase().replace(/[^a-z0-9]/g, '');
  return SECRET_KEY_ENDINGS.some((ending) => k.endsWith(ending));
}

const REDACTED = '[redacted]';
const BEARER = /\b(bearer)\s+[A-Za-z0-9\-._~+/]+=*/gi;
const AUTHORIZATION = /\b((?:proxy-)?authorization["']?\s*[:=]\s*["']?)(?:(?:bearer|basic|digest|token)\s+)?(?!\[redacted\])[^\s"',;}]+/gi;
const SECRET_PAIR = /([A-Za-z0-9_-]*(?:password|passwd|secret|token|api[_-]?key))(["']?\s*[:=]\s*["']?)(?!\[redacted\])[^\s"'&,;}]+/gi;

/** Replaces bearer tokens, authorization header values and `secret=value` pairs in free text. */
export function scrubSecrets(text: string): string {
  return text
    .replace(AUTHORIZATION, `$1${REDACTED}`)
    .replace(BEARER, `$1 ${REDACTED}`)
    .replace(SECRET_PAIR, `$1$2${REDACTED}`);
}

/**
 * Returns a deep copy of `value` without secret-named keys and with every string scrubbed.
 * Plain data only (what `JSON.parse` yields); it does not mutate its input.
 *
 * Note: a record field such as a customer user's `password` is dropped from its dead letter, so a
 * replay of that letter sends the record without it. That is the price of not persisting secrets.
 */
export function redactSecrets<T>(value: T): T {
  return redactValue(value) as T;
}

function redactValue(value: unknown): unknown {
  if (typeof value === 'string') return scrubSecrets(value);
  if (Array.isArray(value)) return value.map(redactValue);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      if (!isSecretKey(key)) out[key] = redactValue(v);
    }
    return out;
  }
  return value;
}

/** What replaces a password in a URL. */
export const URL_PASSWORD_REDACTED = '***';

/**
 * `postgres://user:pass@host/db` -> `postgres://user:***@host/db`; a string that is not a URL, or
 * one without a password, is returned as it is.
 */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password === '') return url;
    parsed.password = URL_PASSWORD_REDACTED;
    return parsed.toString();
  } catch {
    return url;
  }
}
