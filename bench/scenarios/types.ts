/**
 * What a benchmark scenario is given and what it answers.
 */

/** Where the fake Oro is and how to log in. */
export interface OroTarget {
  readonly baseUrl: string;
  readonly tokenUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
}

export type ScenarioKind = 'baseline' | 'hand-written' | 'single' | 'batch-sync' | 'batch' | 'hand-written-batch';

export interface ScenarioParams {
  readonly kind: ScenarioKind;
  readonly oro: OroTarget;
  /** NDJSON file of source records (`generateCustomers` output). */
  readonly file: string;
  /** Only the first `limit` records (the baseline runs on a sample). */
  readonly limit?: number;
  /** Requests in flight (hand-written and oro-sync). */
  readonly concurrency: number;
  /** Records per batch (oro-sync). */
  readonly batchSize: number;
  /** Fresh directory for state and dead letters (oro-sync). */
  readonly workDir: string;
}

/** Per-record results a scenario counts itself. */
export interface ScenarioCounts {
  /** Records read from the source. */
  readonly records: number;
  /** Written (created or updated) as far as the client knows. */
  readonly written: number;
  /** Rejected by Oro (4xx) or before sending. */
  readonly rejected: number;
  /** Given up on (transient errors after retries, or no retry at all). */
  readonly failed: number;
}

export interface ScenarioResult extends ScenarioCounts {
  readonly kind: ScenarioKind;
  readonly elapsedMs: number;
  /** User + system CPU of the client process during the run. */
  readonly cpuMs: number;
  /** Peak resident set size of the client process (`resourceUsage().maxRSS`), MB. */
  readonly peakRssMb: number;
  /** Token grants the client asked for, as it counted them. */
  readonly clientTokenGrants: number;
}
