/**
 * The target of the `rel="next"` link in an RFC 8288 `Link` header value
 * (`<https://x/items?page=2>; rel="next", <https://x/items?page=1>; rel="prev"`), or `null`.
 * `rel` may be quoted or not and may list several relation types (`rel="next last"`).
 */
export function nextFromLinkHeader(header: string | null): string | null {
  if (!header) return null;
  const link = /<([^>]*)>((?:\s*;\s*[^;,]*)*)/g;
  for (let match = link.exec(header); match !== null; match = link.exec(header)) {
    const params = match[2] ?? '';
    const rel = /;\s*rel\s*=\s*(?:"([^"]*)"|([^\s;,]+))/i.exec(params);
    const relations = (rel?.[1] ?? rel?.[2] ?? '').toLowerCase().split(/\s+/);
    if (relations.includes('next')) return match[1] ?? null;
  }
  return null;
}
