/**
 * Per-key locks shared by every worker of one state store (the PostgreSQL store's advisory
 * locks): while a worker decides and writes a key (lookup, create or update, storing the id and
 * digest), no other worker works on it. Without them a record redelivered to a second worker
 * while the first one's write is in flight would be looked up, not found, and created twice.
 *
 * Defined here, below the sink and the state store, because the sink uses it and the state store
 * provides it, and neither may import the other (see `.dependency-cruiser.cjs`).
 */
export interface KeyClaims {
  /**
   * Claims as many of `keys` as are free now, and at least one: when none is free it waits for
   * the first one (holding nothing while it waits, so that no two claims can wait for each other)
   * and then takes whichever others are free. The keys it did not get are the caller's to claim
   * again, side by side with writing the ones it got: a key busy elsewhere does not hold up the
   * rest of its batch. Rejects when the lock service cannot be reached.
   */
  claim(keys: readonly string[]): Promise<KeyClaim>;
}

/** Keys held until `release()`; the caller writes and stores them, then releases. */
export interface KeyClaim {
  readonly granted: ReadonlySet<string>;
  /** Lets the keys go (never rejects: a lock the service lost is already gone). */
  release(): Promise<void>;
}
