/**
 * Seeded fault injection and latency: what a proxy, WAF or flaky network in front of Oro does.
 * One PRNG draw per request decides its fault, so a seed and a request sequence replay exactly.
 */
import { apiError, errorReply, type Reply } from './json-api.js';
import { streamFor, type Rng } from './random.js';
import type { FaultOptions, Latency } from './types.js';

/** What happens to one request. */
export type Fault = 'none' | '429' | '503' | '500' | 'reset';

/** No faults at all. */
export const NO_FAULTS: FaultOptions = {
  rate429: 0,
  rate503: 0,
  rate500: 0,
  resetRate: 0,
  retryAfter: 'seconds',
  retryAfterSeconds: 1,
  revokeEvery: 0,
  onToken: false,
};

/** Draws faults and latencies from independent seeded streams. */
export class FaultInjector {
  private options: FaultOptions;
  private latency: Latency;
  private readonly faultRng: Rng;
  private readonly latencyRng: Rng;
  private apiRequests = 0;

  constructor(seed: number, faults: Partial<FaultOptions> | undefined, latency: Latency | undefined) {
    this.options = { ...NO_FAULTS, ...faults };
    this.latency = latency ?? 0;
    this.faultRng = streamFor(seed, 1);
    this.latencyRng = streamFor(seed, 2);
  }

  get settings(): FaultOptions {
    return this.options;
  }

  set(faults: Partial<FaultOptions>): void {
    this.options = { ...this.options, ...faults };
  }

  setLatency(latency: Latency): void {
    this.latency = latency;
  }

  /** Counts an API request; `true` when tokens must be revoked before handling it. */
  countApiRequest(): boolean {
    this.apiRequests++;
    return this.options.revokeEvery > 0 && this.apiRequests % this.options.revokeEvery === 0;
  }

  /** The fault of the next request (one draw whenever any rate is set). */
  draw(): Fault {
    const { rate429, rate503, rate500, resetRate } = this.options;
    if (rate429 + rate503 + rate500 + resetRate <= 0) return 'none';
    const r = this.faultRng();
    if (r < rate429) return '429';
    if (r < rate429 + rate503) return '503';
    if (r < rate429 + rate503 + rate500) return '500';
    if (r < rate429 + rate503 + rate500 + resetRate) return 'reset';
    return 'none';
  }

  /** The delay of the next API request, in ms. */
  delay(): number {
    const l = this.latency;
    if (typeof l === 'number') return Math.max(0, l);
    return Math.max(0, l.min + (l.max - l.min) * this.latencyRng());
  }

  /** The answer of a 429 / 503 / 500 fault. */
  reply(fault: '429' | '503' | '500', now: number): Reply {
    if (fault === '500') return errorReply([apiError(500, 'runtime exception', 'Injected fault: the server failed to process the request.')]);
    const seconds = this.options.retryAfterSeconds;
    const retryAfter = this.options.retryAfter === 'date' ? new Date(Math.ceil((now + seconds * 1000) / 1000) * 1000).toUTCString() : String(seconds);
    return {
      status: Number(fault),
      headers: { 'Retry-After': retryAfter },
      text: fault === '429' ? 'Too Many Requests' : 'Service Unavailable',
      contentType: 'text/plain; charset=UTF-8',
    };
  }
}

/**
 * Splits one overall fault rate (the CLI's `--fault-rate F`) over the fault kinds:
 * 40 % 429, 30 % 503, 20 % 500, 10 % connection resets.
 *
 * @example
 * await startFakeOro({ faults: faultsForRate(0.1) }); // ~10 % of API requests fail
 */
export function faultsForRate(rate: number): Partial<FaultOptions> {
  const r = Math.min(1, Math.max(0, rate));
  return { rate429: r * 0.4, rate503: r * 0.3, rate500: r * 0.2, resetRate: r * 0.1 };
}
