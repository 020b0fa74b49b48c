/**
 * Oro's capacity, modelled: a real Oro serves a limited number of API requests at once (PHP-FPM
 * workers); the rest wait in a FIFO queue (the listen backlog), and past its length the server
 * answers 503. Each request holds a worker for `perRequestMs + perRecordMs x records`.
 */
import type { Reply } from './json-api.js';

/** `FakeOroOptions.capacity`: every field has a default; `{}` is an Oro without a limit. */
export interface CapacityOptions {
  /** API requests served at once. Default `Infinity`. */
  readonly workers?: number;
  /** The time every API request holds a worker, ms. Default 0. */
  readonly perRequestMs?: number;
  /** The time each record of a request adds (a batch's `data` length; 1 for any other request), ms. Default 0. */
  readonly perRecordMs?: number;
  /** Requests that may wait for a worker; one more is answered 503 with `Retry-After`. Default `Infinity`. */
  readonly queueLimit?: number;
  /** The `Retry-After` of those 503s, in seconds. Default 1. */
  readonly retryAfterSeconds?: number;
}

/** What the capacity has seen since the fake started (`FakeOro.capacityStats()`), times in ms. */
export interface CapacityStats {
  readonly workers: number;
  /** Requests holding a worker now. */
  readonly inService: number;
  /** Requests waiting for one now. */
  readonly waiting: number;
  /** Requests that have been served (their worker released). */
  readonly served: number;
  /** Requests answered 503 because the queue was full. */
  readonly refused: number;
  /** Busy workers integrated over time: `busyMs / workerMs` is the share of the time Oro worked. */
  readonly busyMs: number;
  /** Workers integrated over time (follows `setCapacity`); `Infinity` with unlimited workers. */
  readonly workerMs: number;
  /** Time requests waited for a worker, summed: `/ served` is the mean wait. */
  readonly queueWaitMs: number;
  /** Service time of the requests served, summed: `queueWaitMs / serviceMs` is wait per service time. */
  readonly serviceMs: number;
  /** Requests in Oro (served and waiting) at the most. */
  readonly maxInFlight: number;
  /** Requests in Oro integrated over time: `/ elapsedMs` is the mean in flight. */
  readonly inFlightMs: number;
  /** Since the fake started. */
  readonly elapsedMs: number;
}

/** Records in a request body: a collection document's `data` length, else 1. */
export function recordsIn(body: string): number {
  if (body === '') return 1;
  try {
    const doc = JSON.parse(body) as { data?: unknown };
    return Array.isArray(doc.data) ? Math.max(1, doc.data.length) : 1;
  } catch {
    return 1;
  }
}

type Settings = Required<CapacityOptions>;

const UNLIMITED: Settings = { workers: Infinity, perRequestMs: 0, perRecordMs: 0, queueLimit: Infinity, retryAfterSeconds: 1 };

/** @throws RangeError naming the setting that is out of range. */
function checked(settings: Settings): Settings {
  const { workers, perRequestMs, perRecordMs, queueLimit, retryAfterSeconds } = settings;
  const wholeOrInfinite = (n: number) => n === Infinity || Number.isInteger(n);
  if (!(wholeOrInfinite(workers) && workers >= 1)) throw new RangeError(`fake Oro capacity: workers must be a positive integer, got ${workers}`);
  if (!(wholeOrInfinite(queueLimit) && queueLimit >= 0)) throw new RangeError(`fake Oro capacity: queueLimit must be 0 or more, got ${queueLimit}`);
  for (const [name, value] of [['perRequestMs', perRequestMs], ['perRecordMs', perRecordMs], ['retryAfterSeconds', retryAfterSeconds]] as const) {
    if (!(Number.isFinite(value) && value >= 0)) throw new RangeError(`fake Oro capacity: ${name} must be 0 or more, got ${value}`);
  }
  return settings;
}

/**
 * The capacity of one fake Oro: `serve` holds a request until a worker is free (first come, first
 * served), runs it, keeps the worker for the request's service time, and counts what the
 * benchmarks read. Time comes from `now`, waiting from `delay` (the fake's timers, so that
 * `close()` clears them).
 *
 * ```
 * workers 2, perRequestMs 100; requests a, b, c arrive at 0:
 * a: served 0-100, b: served 0-100, c: waits 100, served 100-200
 * ```
 *
 * @example
 * const capacity = new Capacity({ workers: 8, perRequestMs: 20, perRecordMs: 2 }, Date.now, delay);
 * const reply = await capacity.serve(body, () => handle(request));
 */
export class Capacity {
  private settings: Settings;
  private readonly queue: (() => void)[] = [];
  private inService = 0;
  private served = 0;
  private refused = 0;
  private busyMs = 0;
  private workerMs = 0;
  private queueWaitMs = 0;
  private serviceMs = 0;
  private maxInFlight = 0;
  private inFlightMs = 0;
  private readonly startedAt: number;
  private integratedAt: number;

  constructor(
    options: CapacityOptions | undefined,
    private readonly now: () => number,
    private readonly delay: (ms: number) => Promise<void>,
  ) {
    this.settings = checked({ ...UNLIMITED, ...options });
    this.startedAt = this.integratedAt = now();
  }

  /** Changes the capacity from now on (merged into the current settings): requests in service finish. */
  set(options: CapacityOptions): void {
    const next = checked({ ...this.settings, ...options });
    this.integrate();
    this.settings = next;
    this.admit();
  }

  /**
   * Runs `work` for a request with `body` once a worker is free, and answers when its service
   * time (by the records in `body`, see {@link recordsIn}) has passed; a 503 with `Retry-After`
   * when the queue is full. Without a capacity, runs `work` at once (the body is not read).
   */
  async serve<T>(body: string, work: () => Promise<T>): Promise<T | Reply> {
    const { workers, queueLimit, perRequestMs, perRecordMs } = this.settings;
    if (workers === Infinity && perRequestMs === 0 && perRecordMs === 0) return work();
    const busy = this.inService >= workers || this.queue.length > 0;
    if (busy && this.queue.length >= queueLimit) {
      this.refused += 1;
      return {
        status: 503,
        headers: { 'Retry-After': String(this.settings.retryAfterSeconds) },
        text: 'Service Unavailable',
        contentType: 'text/plain; charset=UTF-8',
      };
    }
    const arrived = this.now();
    this.integrate();
    if (busy) await new Promise<void>((resolve) => this.enqueue(resolve));
    else this.start();
    const ms = this.settings.perRequestMs + (this.settings.perRecordMs > 0 ? this.settings.perRecordMs * recordsIn(body) : 0);
    this.queueWaitMs += this.now() - arrived;
    try {
      const result = await work();
      await this.delay(ms);
      return result;
    } finally {
      this.integrate();
      this.inService -= 1;
      this.served += 1;
      this.serviceMs += ms;
      this.admit();
    }
  }

  stats(): CapacityStats {
    this.integrate();
    const { workers } = this.settings;
    return {
      workers,
      inService: this.inService,
      waiting: this.queue.length,
      served: this.served,
      refused: this.refused,
      busyMs: this.busyMs,
      workerMs: this.workerMs,
      queueWaitMs: this.queueWaitMs,
      serviceMs: this.serviceMs,
      maxInFlight: this.maxInFlight,
      inFlightMs: this.inFlightMs,
      elapsedMs: this.now() - this.startedAt,
    };
  }

  private enqueue(resolve: () => void): void {
    this.queue.push(resolve);
    this.noteInFlight();
  }

  private start(): void {
    this.inService += 1;
    this.noteInFlight();
  }

  /** Hands free workers to the waiting requests, first come, first served. */
  private admit(): void {
    while (this.inService < this.settings.workers && this.queue.length > 0) {
      const next = this.queue.shift()!;
      this.inService += 1;
      next();
    }
  }

  private noteInFlight(): void {
    this.maxInFlight = Math.max(this.maxInFlight, this.inService + this.queue.length);
  }

  /** Brings the time integrals up to now. */
  private integrate(): void {
    const now = this.now();
    const dt = Math.max(0, now - this.integratedAt);
    this.integratedAt = now;
    if (dt === 0) return;
    const { workers } = this.settings;
    this.busyMs += Math.min(this.inService, workers) * dt;
    this.workerMs += workers * dt;
    this.inFlightMs += (this.inService + this.queue.length) * dt;
  }
}
