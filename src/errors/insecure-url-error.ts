import { OroSyncError } from './oro-sync-error.js';

/**
 * Plain `http://` to a host that is not loopback, without `allowInsecureHttp: true`.
 *
 * @example
 * ```ts
 * // Throws: plain http to a host that is not loopback.
 * createOro({ baseUrl: 'http://shop.example.com/admin/api', clientId, clientSecret });
 * ```
 */
export class InsecureUrlError extends OroSyncError {
  readonly errorClass = 'fatal' as const;

  constructor(readonly url: string, readonly setting = 'oro.allowInsecureHttp') {
    super(`refusing plain http:// to a non-loopback host (${url}); use https:// or set ${setting}: true`);
  }
}
