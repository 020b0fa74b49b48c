/**
 * Scenario (2), what a Node developer writes by hand: one token fetched up front, one POST per
 * record, `p-limit` for concurrency and `p-retry` for transient failures (same retry count and
 * base delay as oro-sync's defaults). 4xx answers other than 429 are permanent (`AbortError`),
 * which includes the 401 of a revoked token: this client never gets a new one.
 */
import pLimit from 'p-limit';
import pRetry, { AbortError } from 'p-retry';
import { customerDocument, readNdjson } from './read-records.js';
import { fetchToken } from './fetch-token.js';
import type { ScenarioCounts, ScenarioParams } from './types.js';

export async function runHandWritten(params: ScenarioParams, onGrant: () => void): Promise<ScenarioCounts> {
  const { oro } = params;
  const token = await fetchToken(oro);
  onGrant();

  const limit = pLimit(params.concurrency);
  let records = 0;
  let written = 0;
  let rejected = 0;
  let failed = 0;
  const post = async (body: string) => {
    const response = await fetch(`${oro.baseUrl}/customers`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/vnd.api+json', Accept: 'application/vnd.api+json' },
      body,
    });
    const text = await response.text();
    if (response.ok) return;
    const error = new Error(`POST customers: ${response.status} ${text.slice(0, 200)}`);
    throw response.status >= 400 && response.status < 500 && response.status !== 429 ? new AbortError(error) : error;
  };
  const tasks: Promise<void>[] = [];
  for await (const record of readNdjson(params.file, params.limit)) {
    records++;
    const body = customerDocument(record);
    tasks.push(
      limit(() =>
        pRetry(() => post(body), { retries: 6, minTimeout: 200, maxTimeout: 30_000, randomize: true }).then(
          () => void written++,
          (error: unknown) => {
            // 400/409/422: Oro refused the record itself. Anything else (401 included) lost it.
            if (error instanceof Error && /: (400|409|422) /.test(error.message)) rejected++;
            else failed++;
          },
        ),
      ),
    );
  }
  await Promise.all(tasks);
  return { records, written, rejected, failed };
}
