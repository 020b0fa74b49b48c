/**
 * A request's query string read as Oro 6.1+ reads it (oroinc/platform ApiBundle
 * `RequestQueryStringNormalizer` and `RestFilterValueAccessor`), so that what Oro never sees as
 * a parameter is not one here either.
 */

/** PHP's `rawurlencode` (RFC 3986): everything but letters, digits and `-_.~` is percent-encoded. */
export const rawUrlEncode = (text: string): string => encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** `+` is a space in a query string, as PHP's `urldecode` reads it; a malformed escape is kept as sent. */
export function urlDecode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

/** PHP's `rawurldecode`: `+` stays a `+`; a malformed escape is kept as sent. */
function rawUrlDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * Oro's parameters of a raw query string. Each `name=value` pair is first re-encoded
 * (`rawurlencode(urldecode(part))`), then parameters are matched by Oro's pattern: a name of
 * letters, digits, `_`, `-` and `.`, then `[...]` groups, then `=`. So the outdated operator form
 * `filter[updatedAt]>=2026-01-01T00:00:00Z`, which Oro no longer reads since 6.1, does not give
 * a filter on `updatedAt`: its encoded `%3E` leaves the pattern a parameter named `3E` (which Oro
 * refuses as "The filter is not supported."), and `filter[id]>5` (no `=`) gives none at all.
 *
 * @example
 * [...oroQuery('filter[id][gt]=5&sort=id')];             // [['filter[id][gt]', '5'], ['sort', 'id']]
 * [...oroQuery('filter[updatedAt]>=2026-01-01')];        // [['3E', '2026-01-01']]
 */
export function oroQuery(rawQuery: string): URLSearchParams {
  const normalized = rawQuery
    .split('&')
    .filter((part) => part !== '' && !part.startsWith('='))
    .map((part) => {
      const eq = part.indexOf('=');
      return eq < 0 ? rawUrlEncode(urlDecode(part)) : `${rawUrlEncode(urlDecode(part.slice(0, eq)))}=${rawUrlEncode(urlDecode(part.slice(eq + 1)))}`;
    })
    .join('&');
  const out = new URLSearchParams();
  for (const match of normalized.matchAll(/([\w\-.]+(?:\[[\w\-.]*\]|%5B[\w\-.]*%5D)*)=([^&]*)/g)) {
    out.append(rawUrlDecode(match[1] ?? ''), rawUrlDecode(match[2] ?? ''));
  }
  return out;
}
