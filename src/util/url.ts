import { ConfigError } from '../errors/config-error.js';
import { InsecureUrlError } from '../errors/insecure-url-error.js';

/**
 * True when `url` points at this machine: `localhost` (and `*.localhost`, RFC 6761),
 * any address in 127.0.0.0/8, `::1`, or an IPv4-mapped loopback (`::ffff:127.x.x.x`).
 *
 * Only the host is looked at; the name is not resolved, so a hosts-file entry that maps some
 * other name to 127.0.0.1 does not count (we cannot tell from here that it stays local).
 *
 * @example isLoopbackUrl('http://127.0.0.1:8080/admin/api') // true
 * @example isLoopbackUrl('http://shop.example.com/')         // false
 */
export function isLoopbackUrl(url: string | URL): boolean {
  let parsed: URL;
  try {
    parsed = typeof url === 'string' ? new URL(url) : url;
  } catch {
    return false;
  }
  return isLoopbackHost(parsed.hostname);
}

function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (host === '::1' || host === '0:0:0:0:0:0:0:1') return true;
  // WHATWG URL normalises IPv4 (also `127.1`, `0x7f.1`) to dotted quad, so one regex suffices.
  if (/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)) return true;
  // `::ffff:127.0.0.1` is normalised to `::ffff:7f00:1`.
  const mapped = /^::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}$/.exec(host);
  return mapped !== null;
}

/**
 * Oro's OAuth token endpoint for an API base URL: the origin of `baseUrl` + `/oauth2-token` (the
 * endpoint has no `/admin` prefix).
 *
 * @example defaultTokenUrl('https://shop.example.com/admin/api') // 'https://shop.example.com/oauth2-token'
 * @throws TypeError when `baseUrl` is not an absolute URL
 */
export function defaultTokenUrl(baseUrl: string | URL): string {
  return `${new URL(baseUrl).origin}/oauth2-token`;
}

/** `url` with any `user:password@` removed, for messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.username === '' && parsed.password === '') return url;
    parsed.username = '';
    parsed.password = '';
    return parsed.toString();
  } catch {
    return url;
  }
}

/**
 * Refuse plain `http://` to a host that is not loopback (invariant 6), unless the user said
 * `allowInsecureHttp: true`. `https://` is always accepted (and TLS is verified elsewhere).
 *
 * @param url the URL about to be used (base URL, token URL, a `links.next`)
 * @param allowInsecureHttp the user's explicit opt-in
 * @param setting the config path of that opt-in, named in the error so the user knows what to set
 * @throws InsecureUrlError for `http://` to a non-loopback host without the opt-in
 * @throws ConfigError when `url` is not an absolute http(s) URL
 *
 * @example assertSecureUrl(config.oro.baseUrl, config.oro.allowInsecureHttp ?? false, 'oro.allowInsecureHttp')
 */
export function assertSecureUrl(url: string, allowInsecureHttp: boolean, setting = 'oro.allowInsecureHttp'): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError([`${redactUrl(url)}: expected an absolute http:// or https:// URL`]);
  }
  if (parsed.protocol === 'https:') return;
  if (parsed.protocol !== 'http:') {
    throw new ConfigError([`${redactUrl(url)}: expected an http:// or https:// URL, got ${parsed.protocol}`]);
  }
  if (allowInsecureHttp || isLoopbackHost(parsed.hostname)) return;
  throw new InsecureUrlError(redactUrl(url), setting);
}
