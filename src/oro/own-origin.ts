/**
 * Where a URL that Oro built for itself (`Content-Location`, `links.next`) really is, seen from
 * the configured base URL.
 *
 * Oro builds absolute URLs from its own request context. Behind a TLS-terminating proxy or a load
 * balancer that context is the inside one: `http://` instead of `https://`, an internal host name,
 * sometimes without the path prefix the proxy adds. The path and query are still right; only the
 * origin (and maybe that prefix) is not. So the URL is moved onto the base URL's origin, and the
 * bearer token only ever goes where the user pointed oro-sync.
 *
 * The path is kept when it already lies under the base path. Otherwise, when it starts with a
 * tail of the base path (`/admin/api/...` under a base of `/shop/admin/api`), the prefix the proxy
 * strips is put back; otherwise it is used as it is.
 *
 * @returns the URL on the base URL's origin, and whether it had to be moved.
 *
 * @example
 * onOwnOrigin(new URL('http://oro.internal/admin/api/asyncoperations/5'), new URL('https://shop.example.com/shop/admin/api'));
 * // { url: URL('https://shop.example.com/shop/admin/api/asyncoperations/5'), moved: true }
 */
export function onOwnOrigin(url: URL, base: URL): { readonly url: URL; readonly moved: boolean } {
  if (url.origin === base.origin) return { url, moved: false };
  const basePath = base.pathname.replace(/\/+$/, '');
  const segments = basePath.split('/').filter((s) => s !== '');
  let path = url.pathname;
  if (!underPath(path, basePath)) {
    for (let drop = 1; drop < segments.length; drop++) {
      const tail = `/${segments.slice(drop).join('/')}`;
      if (underPath(path, tail)) {
        path = basePath + path.slice(tail.length);
        break;
      }
    }
  }
  const moved = new URL(base.origin);
  moved.pathname = path;
  moved.search = url.search;
  return { url: moved, moved: true };
}

function underPath(path: string, prefix: string): boolean {
  return prefix === '' || path === prefix || path.startsWith(`${prefix}/`);
}
