import type { OroTarget } from './types.js';

/** One `client_credentials` grant as a hand-written client asks for it (a form body, plain `fetch`). */
export async function fetchToken(oro: OroTarget): Promise<string> {
  const response = await fetch(oro.tokenUrl, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: oro.clientId, client_secret: oro.clientSecret }),
  });
  if (!response.ok) throw new Error(`token request to ${oro.tokenUrl} failed: ${response.status}`);
  return ((await response.json()) as { access_token: string }).access_token;
}
