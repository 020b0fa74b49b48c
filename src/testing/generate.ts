/**
 * Deterministic source records for demos, benchmarks and tests.
 */
import { mulberry32 } from './random.js';

/** A generated customer as a source system would export it. */
export interface GeneratedCustomer {
  /** The source key, `C000001`… (fits Oro's 36-character `externalId`). */
  readonly id: string;
  /** `Customer N`; empty for every `invalidEvery`-th record (Oro rejects it: "not blank constraint"). */
  readonly name: string;
  /** A customer group id (`"1"`…`"5"`) for about half of the records. */
  readonly groupId?: string;
  /** ISO change time, strictly increasing with the index. */
  readonly updatedAt: string;
}

/** Options of `generateCustomers`. */
export interface GenerateCustomersOptions {
  /** Every N-th record (N, 2N, …) is invalid; 0 or absent = none. */
  readonly invalidEvery?: number;
  /** Seed of the PRNG that picks groups; default 1. */
  readonly seed?: number;
  /** Change time of the first record, ms; default 2024-01-01T00:00:00Z. Each next one is 1 s later. */
  readonly startMs?: number;
}

/**
 * `n` deterministic customer source records.
 *
 * @example
 * generateCustomers(3, { invalidEvery: 3 });
 * // [{id: 'C000001', name: 'Customer 1', …}, {id: 'C000002', …}, {id: 'C000003', name: '', …}]
 */
export function generateCustomers(n: number, options: GenerateCustomersOptions = {}): GeneratedCustomer[] {
  const rng = mulberry32(options.seed ?? 1);
  const start = options.startMs ?? Date.UTC(2024, 0, 1);
  const every = options.invalidEvery ?? 0;
  const out: GeneratedCustomer[] = [];
  for (let i = 1; i <= n; i++) {
    const group = rng() < 0.5 ? String(1 + Math.floor(rng() * 5)) : undefined;
    const base = {
      id: `C${String(i).padStart(6, '0')}`,
      name: every > 0 && i % every === 0 ? '' : `Customer ${i}`,
      updatedAt: new Date(start + (i - 1) * 1000).toISOString(),
    };
    out.push(group === undefined ? base : { ...base, groupId: group });
  }
  return out;
}
