import type { CapacityOptions } from '../../testing/capacity.js';
import { startFakeOro } from '../../testing/fake-oro.js';
import { faultsForRate } from '../../testing/faults.js';
import { ORO_VERSIONS, type OroVersion } from '../../testing/resources.js';

/** The values `--oro-version` accepts. */
export const FAKE_ORO_VERSIONS: readonly OroVersion[] = ORO_VERSIONS;

export interface FakeOroCommandOptions {
  readonly port: number;
  readonly latency: number;
  readonly faultRate: number;
  readonly seed: number;
  /** `--oro-version`: the Oro version to play (default the newest). */
  readonly oroVersion?: OroVersion;
  /** `--rate-limit N`: requests a second per client, burst N, as a proxy would (429 + Retry-After). */
  readonly rateLimit?: number;
  readonly clientId?: string;
  readonly clientSecret?: string;
  /** `--workers N`: API requests served at once (the rest wait in a queue). */
  readonly workers?: number;
  /** `--per-request-ms A`: the time every API request holds a worker. */
  readonly perRequestMs?: number;
  /** `--per-record-ms B`: the time each record of a request adds (a batch's size). */
  readonly perRecordMs?: number;
  /** `--queue-limit Q`: requests that may wait for a worker; past it, 503 with Retry-After. */
  readonly queueLimit?: number;
}

/** The capacity the `--workers`, `--per-request-ms`, `--per-record-ms` and `--queue-limit` flags ask for, if any. */
function capacityOf(options: FakeOroCommandOptions): CapacityOptions | undefined {
  const { workers, perRequestMs, perRecordMs, queueLimit } = options;
  if (workers === undefined && perRequestMs === undefined && perRecordMs === undefined && queueLimit === undefined) return undefined;
  return {
    ...(workers !== undefined ? { workers } : {}),
    ...(perRequestMs !== undefined ? { perRequestMs } : {}),
    ...(perRecordMs !== undefined ? { perRecordMs } : {}),
    ...(queueLimit !== undefined ? { queueLimit } : {}),
  };
}

/**
 * `oro-sync fake-oro`: the fake Oro server on its own. Its first line on stdout is
 * `{"baseUrl": ..., "tokenUrl": ...}`; it runs until SIGINT/SIGTERM.
 *
 * `--fault-rate F` is the share of API requests that fail: 40% of it 429, 30% 503 (both with
 * `Retry-After: 1`), 20% 500 and 10% connection resets. `--rate-limit N` puts a token bucket of
 * N requests a second (burst N) per client in front of the API; `--oro-version` picks the Oro
 * version whose resources it serves (docs/fake-oro.md has the table). `--workers N` gives it a
 * capacity: N API requests served at once, each for `--per-request-ms` + `--per-record-ms` x its
 * records, the rest queued, and past `--queue-limit` waiting, 503.
 */
export async function fakeOroCommand(options: FakeOroCommandOptions, print: (line: string) => void): Promise<number> {
  const capacity = capacityOf(options);
  const oro = await startFakeOro({
    port: options.port,
    latency: options.latency,
    seed: options.seed,
    ...(options.clientId !== undefined ? { clientId: options.clientId } : {}),
    ...(options.clientSecret !== undefined ? { clientSecret: options.clientSecret } : {}),
    faults: faultsForRate(options.faultRate),
    ...(options.oroVersion !== undefined ? { version: options.oroVersion } : {}),
    ...(options.rateLimit !== undefined && options.rateLimit > 0 ? { rateLimit: { perSecond: options.rateLimit, burst: Math.max(1, Math.ceil(options.rateLimit)) } } : {}),
    ...(capacity ? { capacity } : {}),
  });
  print(JSON.stringify({ baseUrl: oro.baseUrl, tokenUrl: oro.tokenUrl }));
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  await oro.close();
  return 0;
}
