/**
 * Scenario (1), the integration Oro's documentation shows (its Prefect example): for each record,
 * get a fresh token, POST the record, wait for the answer, go on with the next one. No retry: a
 * failed request is logged and the record is lost. Written plainly with `fetch`, as that script is.
 */
import { customerDocument, readNdjson } from './read-records.js';
import type { ScenarioCounts, ScenarioParams } from './types.js';

export async function runBaseline(params: ScenarioParams, onGrant: () => void): Promise<ScenarioCounts> {
  const { oro } = params;
  let records = 0;
  let written = 0;
  let rejected = 0;
  let failed = 0;
  for await (const record of readNdjson(params.file, params.limit)) {
    records++;
    try {
      const tokenResponse = await fetch(oro.tokenUrl, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: oro.clientId, client_secret: oro.clientSecret }),
      });
      if (!tokenResponse.ok) throw new Error(`token: ${tokenResponse.status}`);
      const { access_token: token } = (await tokenResponse.json()) as { access_token: string };
      onGrant();
      const response = await fetch(`${oro.baseUrl}/customers`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/vnd.api+json', Accept: 'application/vnd.api+json' },
        body: customerDocument(record),
      });
      await response.text();
      if (response.ok) written++;
      else if (response.status >= 400 && response.status < 500 && response.status !== 429) rejected++;
      else failed++;
    } catch {
      failed++;
    }
  }
  return { records, written, rejected, failed };
}
