/**
 * `oro-sync/testing`: a fake Oro (OAuth token endpoint + JSON:API + Batch API) for tests, demos
 * and benchmarks. See docs/fake-oro.md.
 */
export { startFakeOro } from './fake-oro.js';
export type { FakeOro, FakeOroOptions, FaultOptions, Latency, RequestLogEntry, SeedRelationship } from './types.js';
export { NO_FAULTS, faultsForRate } from './faults.js';
export { mulberry32, type Rng } from './random.js';
export { ORO_VERSIONS, type OroVersion } from './resources.js';
export { RateLimiter, type RateDecision, type RateLimit } from './rate-limit.js';
export type { CapacityOptions, CapacityStats } from './capacity.js';
export { generateCustomers, type GeneratedCustomer, type GenerateCustomersOptions } from './generate.js';
