/**
 * Scenario (6), the CPU floor of a batch client: what the work of `batch-sync` costs when written
 * by hand. One token, `p-limit` for concurrency, one `X-Mode: sync` PATCH of up to 100 creates to
 * the collection (`{"data": [...]}`), `p-retry` for transient failures. No lookups (the records are
 * new; customers cannot be upserted), no state, no dead letters. Oro applies a sync batch all or
 * nothing: on a 400 the records its error pointers name (`/data/N/...`) are counted rejected and
 * the rest is sent again, as oro-sync does.
 */
import pLimit from 'p-limit';
import pRetry, { AbortError } from 'p-retry';
import { readNdjson } from './read-records.js';
import { fetchToken } from './fetch-token.js';
import type { ScenarioCounts, ScenarioParams } from './types.js';

interface ErrorBody {
  readonly errors?: readonly { readonly source?: { readonly pointer?: string } }[];
}

/** A generated customer as a Batch API create with a temporary id. */
function customerResource(record: Record<string, unknown>, index: number): Record<string, unknown> {
  const groupId = record['groupId'];
  return {
    type: 'customers',
    id: `new-${index}`,
    attributes: { name: record['name'], externalId: record['id'] },
    ...(typeof groupId === 'string' ? { relationships: { group: { data: { type: 'customergroups', id: groupId } } } } : {}),
  };
}

/** The data indexes Oro's error pointers name; empty when an error names none. */
function rejectedIndexes(body: ErrorBody): Set<number> | undefined {
  const out = new Set<number>();
  for (const error of body.errors ?? []) {
    const match = /^\/data\/(\d+)/.exec(error.source?.pointer ?? '');
    if (!match) return undefined;
    out.add(Number(match[1]));
  }
  return out.size > 0 ? out : undefined;
}

export async function runHandWrittenBatch(params: ScenarioParams, onGrant: () => void): Promise<ScenarioCounts> {
  const { oro } = params;
  const token = await fetchToken(oro);
  onGrant();

  const limit = pLimit(params.concurrency);
  const size = Math.min(100, Math.max(1, params.batchSize));
  let records = 0;
  let written = 0;
  let rejected = 0;
  let failed = 0;
  /** One PATCH; the 400's body when Oro refused records, `undefined` on success. */
  const patch = async (batch: readonly Record<string, unknown>[]): Promise<ErrorBody | undefined> => {
    const response = await fetch(`${oro.baseUrl}/customers`, {
      method: 'PATCH',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/vnd.api+json', Accept: 'application/vnd.api+json', 'X-Mode': 'sync' },
      body: JSON.stringify({ data: batch.map(customerResource) }),
    });
    const text = await response.text();
    if (response.ok) return undefined;
    if (response.status === 400) return JSON.parse(text) as ErrorBody;
    const error = new Error(`PATCH customers: ${response.status} ${text.slice(0, 200)}`);
    throw response.status >= 400 && response.status < 500 && response.status !== 429 ? new AbortError(error) : error;
  };
  const send = async (batch: readonly Record<string, unknown>[]): Promise<void> => {
    let left = batch;
    while (left.length > 0) {
      const refused = await pRetry(() => patch(left), { retries: 6, minTimeout: 200, maxTimeout: 30_000, randomize: true });
      if (!refused) {
        written += left.length;
        return;
      }
      const indexes = rejectedIndexes(refused);
      if (!indexes) {
        failed += left.length;
        return;
      }
      rejected += indexes.size;
      left = left.filter((_, i) => !indexes.has(i));
    }
  };
  const tasks: Promise<void>[] = [];
  let batch: Record<string, unknown>[] = [];
  const flush = () => {
    const full = batch;
    batch = [];
    tasks.push(limit(() => send(full)).catch(() => void (failed += full.length)));
  };
  for await (const record of readNdjson(params.file, params.limit)) {
    records++;
    batch.push(record);
    if (batch.length >= size) flush();
  }
  if (batch.length > 0) flush();
  await Promise.all(tasks);
  return { records, written, rejected, failed };
}
