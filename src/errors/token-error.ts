import { OroSyncError } from './oro-sync-error.js';

/**
 * The token endpoint refused the credentials (`invalid_client`, `invalid_request`,
 * `unsupported_grant_type`, ...). Permanent: retrying with the same credentials will not help,
 * so the run stops. The message names the token URL and the OAuth error, never the secret.
 *
 * @example
 * ```ts
 * tokens.current().catch((error: unknown) => {
 *   if (error instanceof TokenError) console.log(error.oauthError);   // 'invalid_client': fix the credentials
 * });
 * ```
 */
export class TokenError extends OroSyncError {
  readonly errorClass = 'fatal' as const;

  constructor(
    readonly tokenUrl: string,
    /** The OAuth `error` code, e.g. `invalid_client`. */
    readonly oauthError: string,
    readonly description?: string,
    options?: { cause?: unknown },
  ) {
    super(
      `token request to ${tokenUrl} was refused: ${oauthError}${description ? ` (${description})` : ''}; ` +
        'check oro.clientId / oro.clientSecret and that the OAuth application uses the client credentials grant',
      options,
    );
  }
}
