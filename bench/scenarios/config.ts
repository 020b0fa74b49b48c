/**
 * The oro-sync config every benchmark and the chaos run use: generated customers into Oro's
 * `customers` by `externalId` (lookup strategy: customers have no upsert), with their group.
 */
import type { OroTarget } from './types.js';

export interface ConfigInput {
  readonly oro: OroTarget;
  /** The config's `source` as JSON (ndjson file, paginated http, ...). */
  readonly source: Record<string, unknown>;
  readonly mode: 'single' | 'batch-sync' | 'batch';
  readonly concurrency: number | 'auto';
  readonly batchSize: number;
  /** Absolute directory for the state store and the dead-letter file. */
  readonly workDir: string;
}

/** The env variable the config's `clientSecret` names (no literal secret in the file). */
export const SECRET_ENV = 'ORO_SYNC_BENCH_SECRET';

export function configJson(input: ConfigInput): Record<string, unknown> {
  return {
    oro: { baseUrl: input.oro.baseUrl, tokenUrl: input.oro.tokenUrl, clientId: input.oro.clientId, clientSecret: `\${${SECRET_ENV}}` },
    source: input.source,
    target: {
      type: 'customers',
      mode: input.mode,
      strategy: 'lookup',
      key: { source: 'id', oro: 'externalId' },
      attributes: { name: 'name', externalId: 'id' },
      relationships: { group: { type: 'customergroups', source: 'groupId' } },
    },
    pipeline: { batchSize: input.batchSize, batchMs: 100, concurrency: input.concurrency, retries: 6, retryBaseMs: 200 },
    state: { path: `${input.workDir}/state.db` },
    deadLetter: { path: `${input.workDir}/dead-letters.ndjson` },
  };
}
