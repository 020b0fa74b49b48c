/**
 * The fake Oro in its own process, so that a benchmark's CPU and RSS measure the client only.
 * Started by `bench/fake-oro-process.ts` with `fork` (IPC). Options come as one JSON argument
 * (`FakeOroOptions` without `now`); it seeds five customer groups (ids 1..5, the
 * `groupId`s that `generateCustomers` uses), then sends `{baseUrl, tokenUrl, clientId,
 * clientSecret}` and answers `stats` requests over IPC with what is stored.
 */
import { startFakeOro, type CapacityOptions, type CapacityStats, type FakeOroOptions } from '../src/testing/index.js';

export interface FakeOroStats {
  /** Successful token grants. */
  readonly tokenGrants: number;
  /** API + token requests seen (fault answers included). */
  readonly requests: number;
  /** Requests by answered status (0 = connection reset). */
  readonly statuses: Readonly<Record<string, number>>;
  /** Stored customers. */
  readonly customers: number;
  /** Distinct `externalId`s among them. */
  readonly distinctExternalIds: number;
  /** `externalId`s stored more than once. */
  readonly duplicatedExternalIds: number;
  /** API requests (not the token endpoint) answered other than 429, answered 429, and when the first and last of the former arrived (ms). */
  readonly api: { readonly passed: number; readonly refused: number; readonly firstAt: number; readonly lastAt: number };
}

/** The fake's capacity counters (`FakeOro.capacityStats()`), and requests in Oro sampled every 20 ms since it started. */
export interface CapacityReport {
  readonly stats: CapacityStats;
  /** `[time ms, requests in Oro (served and waiting)]`, on the fake's clock. */
  readonly samples: readonly (readonly [number, number])[];
  /** When `setCapacity` changed it, on the same clock. */
  readonly changes: readonly { readonly at: number; readonly capacity: CapacityOptions }[];
}

export type ChildMessage =
  | { readonly kind: 'ready'; readonly baseUrl: string; readonly tokenUrl: string; readonly clientId: string; readonly clientSecret: string }
  | { readonly kind: 'stats'; readonly stats: FakeOroStats }
  | { readonly kind: 'capacity'; readonly report: CapacityReport };

const options = JSON.parse(process.argv[2] ?? '{}') as FakeOroOptions;
const oro = await startFakeOro(options);
for (let g = 1; g <= 5; g++) oro.seed('customergroups', { name: `Group ${g}` });

function stats(): FakeOroStats {
  const statuses: Record<string, number> = {};
  const api = { passed: 0, refused: 0, firstAt: Infinity, lastAt: -Infinity };
  for (const r of oro.requests) {
    statuses[r.status] = (statuses[r.status] ?? 0) + 1;
    if (r.path === '/oauth2-token') continue;
    if (r.status === 429) {
      api.refused++;
    } else {
      api.passed++;
      api.firstAt = Math.min(api.firstAt, r.at);
      api.lastAt = Math.max(api.lastAt, r.at);
    }
  }
  const seen = new Map<string, number>();
  const customers = oro.records('customers');
  for (const c of customers) {
    const key = String(c.attributes?.['externalId'] ?? `id:${c.id}`);
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  let duplicated = 0;
  for (const n of seen.values()) if (n > 1) duplicated++;
  return {
    tokenGrants: oro.tokenGrants,
    requests: oro.requests.length,
    statuses,
    customers: customers.length,
    distinctExternalIds: seen.size,
    duplicatedExternalIds: duplicated,
    api,
  };
}

// Requests in Oro over time, for the capacity benchmark (how long a drop takes to be followed).
const samples: [number, number][] = [];
const changes: { at: number; capacity: CapacityOptions }[] = [];
const sampler = options.capacity
  ? setInterval(() => {
      const c = oro.capacityStats();
      samples.push([Date.now(), c.inService + c.waiting]);
    }, 20)
  : undefined;

const send = (message: ChildMessage) => process.send?.(message);
process.on('message', (message: { kind?: string; capacity?: CapacityOptions }) => {
  if (message.kind === 'stats') send({ kind: 'stats', stats: stats() });
  if (message.kind === 'capacity') send({ kind: 'capacity', report: { stats: oro.capacityStats(), samples, changes } });
  if (message.kind === 'set-capacity' && message.capacity) {
    oro.setCapacity(message.capacity);
    changes.push({ at: Date.now(), capacity: message.capacity });
  }
  if (message.kind === 'close') {
    clearInterval(sampler);
    void oro.close().then(() => process.exit(0));
  }
});
process.on('disconnect', () => {
  clearInterval(sampler);
  void oro.close().then(() => process.exit(0));
});
send({ kind: 'ready', baseUrl: oro.baseUrl, tokenUrl: oro.tokenUrl, clientId: oro.clientId, clientSecret: oro.clientSecret });
