/**
 * `oro-sync/testing`: a fake Oro (OAuth token endpoint + JSON:API + Batch API) for tests, demos
 * and benchmarks. See docs/fake-oro.md.
 */
export { startFakeOro } from './fake-oro.js';
export type { BeforeRequest, FakeOro, FakeOroOptions, FakeOroSnapshot, FaultOptions, Latency, RequestLogEntry, SeedRelationship } from './types.js';
export { NO_FAULTS, faultsForRate } from './faults.js';
export { mulberry32, type Rng } from './random.js';
export { ORO_VERSIONS, type OroVersion } from './resources.js';
export { atLeast } from './versions.js';
export {
  defineType,
  OWNERSHIP,
  TIMESTAMPS,
  type AttributeKind,
  type AttributeSpec,
  type Family,
  type Fixture,
  type HookContext,
  type ListFilter,
  type MutationContext,
  type Observers,
  type RelationshipSpec,
  type StoreView,
  type TypeActions,
  type TypeDefinition,
  type TypeHooks,
  type TypeSpec,
  type UpsertSupport,
  type WriteCheck,
} from './family.js';
export type { FieldLink, Fields, PendingRef, RelValue, StoredLink, StoredRecord } from './records.js';
export { apiError, at, param, type ApiError, type ErrorSource } from './json-api.js';
export { RateLimiter, type RateDecision, type RateLimit } from './rate-limit.js';
export type { CapacityOptions, CapacityStats } from './capacity.js';
export { generateCustomers, type GeneratedCustomer, type GenerateCustomersOptions } from './generate.js';
