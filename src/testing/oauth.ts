/**
 * The OAuth 2.0 side of the fake: `POST /oauth2-token` (client credentials only, as a form body,
 * a JSON body or HTTP Basic) with league/oauth2-server's error bodies, and the registry of issued
 * bearer tokens (expiry by the injected clock, revocation).
 */
import { randomBytes } from 'node:crypto';
import type { Reply } from './json-api.js';

/** Issued tokens, their client and expiry; revocation forgets them all. */
export class TokenRegistry {
  private readonly tokens = new Map<string, { readonly expires: number; readonly clientId: string }>();
  private issued = 0;
  grants = 0;

  constructor(
    private readonly ttlSeconds: number,
    private readonly now: () => number,
  ) {}

  /** A new opaque token shaped like an RS256 JWT (three base64url parts). */
  issue(clientId: string): string {
    const iat = Math.floor(this.now() / 1000);
    const b64 = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');
    const token = [
      b64({ typ: 'JWT', alg: 'RS256' }),
      b64({ aud: clientId, jti: `${++this.issued}-${randomBytes(8).toString('hex')}`, iat, nbf: iat, exp: iat + this.ttlSeconds, sub: '1', scopes: [] }),
      randomBytes(32).toString('base64url'),
    ].join('.');
    this.tokens.set(token, { expires: this.now() + this.ttlSeconds * 1000, clientId });
    this.grants++;
    return token;
  }

  /** `true` for a known, unexpired, unrevoked token. */
  isValid(token: string): boolean {
    return this.clientOf(token) !== undefined;
  }

  /** The OAuth client a valid token was issued to; undefined for an unknown, expired or revoked one. */
  clientOf(token: string): string | undefined {
    const entry = this.tokens.get(token);
    if (entry === undefined) return undefined;
    if (this.now() >= entry.expires) {
      this.tokens.delete(token);
      return undefined;
    }
    return entry.clientId;
  }

  revokeAll(): void {
    this.tokens.clear();
  }
}

const JSON_UTF8 = 'application/json; charset=UTF-8';
/** league/oauth2-server answers its errors as plain `application/json`, without a charset. */
const JSON_ERROR = 'application/json';

/** The grants an Oro OAuth application can have (one per application). */
const ORO_GRANTS: ReadonlySet<string> = new Set(['client_credentials', 'password', 'refresh_token', 'authorization_code']);

/**
 * An error as league/oauth2-server 8.5 renders it (`OAuthServerException::getPayload`): `error`,
 * `error_description`, `hint` when there is one, then the deprecated `message`, in that order.
 */
function oauthError(status: number, error: string, description: string, hint?: string): Reply {
  const body: Record<string, string> = { error, error_description: description };
  if (hint !== undefined) body['hint'] = hint;
  body['message'] = description;
  return { status, json: body, contentType: JSON_ERROR };
}

/** Reads `grant_type`, `client_id`, `client_secret` from the body and the Basic header. */
function readCredentials(contentType: string, body: string, authorization: string | undefined): Record<string, string> | 'malformed' {
  const fields: Record<string, string> = {};
  const mediaType = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  if (mediaType === 'application/json') {
    if (body.trim() !== '') {
      let parsed: unknown;
      try {
        parsed = JSON.parse(body);
      } catch {
        return 'malformed';
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return 'malformed';
      for (const [k, v] of Object.entries(parsed)) if (typeof v === 'string') fields[k] = v;
    }
  } else for (const [k, v] of new URLSearchParams(body)) fields[k] = v;
  const basic = /^Basic\s+(.+)$/i.exec(authorization ?? '');
  if (basic?.[1]) {
    const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon >= 0) {
      // RFC 6749 §2.3.1: both parts are form-urlencoded inside the Basic credentials.
      const decode = (s: string): string => {
        try {
          return decodeURIComponent(s.replace(/\+/g, ' '));
        } catch {
          return s;
        }
      };
      fields['client_id'] ??= decode(decoded.slice(0, colon));
      fields['client_secret'] ??= decode(decoded.slice(colon + 1));
    }
  }
  return fields;
}

/** Answers one token request. */
export function handleTokenRequest(
  registry: TokenRegistry,
  client: { readonly id: string; readonly secret: string; readonly ttlSeconds: number },
  method: string,
  contentType: string,
  body: string,
  authorization: string | undefined,
): Reply {
  if (method !== 'POST') return { status: 405, headers: { Allow: 'POST' }, json: { error: 'invalid_request', error_description: 'Only POST is supported.', message: 'Only POST is supported.' }, contentType: JSON_ERROR };
  const fields = readCredentials(contentType, body, authorization);
  if (fields === 'malformed')
    return oauthError(400, 'invalid_request', 'The request is missing a required parameter, includes an invalid parameter value, includes a parameter more than once, or is otherwise malformed.', 'The request body is not valid JSON');
  const grant = fields['grant_type'];
  // An empty request, or a grant Oro knows but this (client credentials) application may not use,
  // fails client authentication (league/oauth2-server checks the client against the grant).
  if (Object.keys(fields).length === 0 || (grant !== undefined && ORO_GRANTS.has(grant) && grant !== 'client_credentials'))
    return oauthError(401, 'invalid_client', 'Client authentication failed');
  if (grant !== 'client_credentials')
    return oauthError(400, 'unsupported_grant_type', 'The authorization grant type is not supported by the authorization server.', 'Check that all required parameters have been provided');
  // Only a missing client_id is a malformed request; an empty one fails client authentication.
  if (fields['client_id'] === undefined)
    return oauthError(400, 'invalid_request', 'The request is missing a required parameter, includes an invalid parameter value, includes a parameter more than once, or is otherwise malformed.', 'Check the `client_id` parameter');
  if (fields['client_id'] !== client.id || fields['client_secret'] !== client.secret) return oauthError(401, 'invalid_client', 'Client authentication failed');
  const token = registry.issue(client.id);
  return {
    status: 200,
    headers: { 'Cache-Control': 'no-store', Pragma: 'no-cache' },
    json: { token_type: 'Bearer', expires_in: client.ttlSeconds, access_token: token },
    contentType: JSON_UTF8,
  };
}
