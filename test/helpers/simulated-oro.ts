/**
 * A queueing model of Oro on virtual time, for the adaptive limit's tests: `workers` requests are
 * served at once, each for its service time; the rest wait in a FIFO queue. And a closed-loop
 * client that keeps a limiter full (as a bulk sync does), so that only the limit bounds what is
 * in flight.
 */
import { TestScheduler } from 'rxjs/testing';
import { Subscription, type SchedulerLike } from 'rxjs';
import type { Limiter } from '../../src/oro/limiter.js';

/** A scheduler for long simulations: virtual time, no frame limit. */
export function virtualTime(): TestScheduler {
  const ts = new TestScheduler(() => undefined);
  ts.maxFrames = Number.POSITIVE_INFINITY;
  return ts;
}

interface Queued {
  readonly serviceMs: number;
  readonly arrived: number;
  readonly done: () => void;
}

/** Integrals since the last `reset`: busy workers, workers, queue wait. */
export interface SimulatedStats {
  /** Busy workers / workers over the interval (1 = Oro never idle). */
  readonly utilization: number;
  /** Mean time a request waited in the queue before its service began, ms. */
  readonly meanWaitMs: number;
  /** Mean service time of the requests served, ms. */
  readonly meanServiceMs: number;
  readonly served: number;
  /** Requests in Oro (served + queued) at the most. */
  readonly maxInOro: number;
}

export interface SimulatedOro {
  /** Requests in Oro now: served and queued. */
  readonly inOro: number;
  submit(serviceMs: number, done: () => void): void;
  setWorkers(workers: number): void;
  stats(): SimulatedStats;
  /** Starts the integrals afresh (the steady state only). */
  reset(): void;
}

export function simulateOro(scheduler: SchedulerLike, initialWorkers: number): SimulatedOro {
  let workers = initialWorkers;
  let busy = 0;
  const queue: Queued[] = [];
  let last = scheduler.now();
  let busyMs = 0;
  let capacityMs = 0;
  let waitMs = 0;
  let serviceMs = 0;
  let served = 0;
  let maxInOro = 0;

  const integrate = (): void => {
    const now = scheduler.now();
    busyMs += Math.min(busy, workers) * (now - last);
    capacityMs += workers * (now - last);
    last = now;
  };
  const serve = (): void => {
    while (busy < workers && queue.length > 0) {
      const next = queue.shift()!;
      busy += 1;
      waitMs += scheduler.now() - next.arrived;
      serviceMs += next.serviceMs;
      served += 1;
      scheduler.schedule(() => {
        integrate();
        busy -= 1;
        serve();
        next.done();
      }, next.serviceMs);
    }
  };
  return {
    get inOro() {
      return busy + queue.length;
    },
    submit: (serviceMs, done) => {
      integrate();
      queue.push({ serviceMs, arrived: scheduler.now(), done });
      serve();
      maxInOro = Math.max(maxInOro, busy + queue.length);
    },
    setWorkers: (n) => {
      integrate();
      workers = n;
      serve();
    },
    stats: () => {
      integrate();
      const mean = (total: number) => (served === 0 ? 0 : total / served);
      return { utilization: capacityMs === 0 ? 0 : busyMs / capacityMs, meanWaitMs: mean(waitMs), meanServiceMs: mean(serviceMs), served, maxInOro };
    },
    reset: () => {
      integrate();
      busyMs = capacityMs = waitMs = serviceMs = served = maxInOro = 0;
    },
  };
}

/** One kind of request the client sends: its name, its records and how long Oro takes for it. */
export interface RequestShape {
  readonly kind: string;
  readonly records?: number;
  readonly serviceMs: number;
}

/**
 * A client with `demand` requests always asked for (waiting or in flight) through `limiter`,
 * sending `shapes` in turn. `serviceOf` may change a request's service time (one slow request).
 */
export function driveClient(
  scheduler: SchedulerLike,
  limiter: Limiter,
  oro: SimulatedOro,
  shapes: readonly RequestShape[],
  options: {
    readonly demand?: number;
    readonly serviceOf?: (n: number, shape: RequestShape) => number;
    /** The client's own lag on an answer that arrives at `now` (a busy event loop), ms: added outside Oro. */
    readonly lagOf?: (now: number) => number;
  } = {},
): { stop(): void; readonly sent: number } {
  let sent = 0;
  let stopped = false;
  const holds = new Set<Subscription>();
  const ask = (): void => {
    if (stopped) return;
    const shape = shapes[sent % shapes.length]!;
    const n = sent++;
    // The container exists before the grant, which may come at once, inside subscribe().
    const hold = new Subscription();
    holds.add(hold);
    hold.add(
      limiter.acquire({ kind: shape.kind, ...(shape.records ? { records: shape.records } : {}) }).subscribe((ticket) => {
        const answered = (): void => {
          limiter.recover(ticket);
          holds.delete(hold);
          hold.unsubscribe();
          ask();
        };
        oro.submit(options.serviceOf?.(n, shape) ?? shape.serviceMs, () => {
          const lag = options.lagOf?.(scheduler.now()) ?? 0;
          if (lag > 0) scheduler.schedule(answered, lag);
          else answered();
        });
      }),
    );
  };
  for (let i = 0; i < (options.demand ?? 200); i++) ask();
  return {
    get sent() {
      return sent;
    },
    stop: () => {
      stopped = true;
      for (const hold of holds) hold.unsubscribe();
      holds.clear();
    },
  };
}

/** Samples `read()` every `everyMs` of virtual time from `fromMs` to `toMs`. */
export function sampleEvery(scheduler: TestScheduler, everyMs: number, fromMs: number, toMs: number, read: () => number): number[] {
  const samples: number[] = [];
  for (let t = fromMs; t <= toMs; t += everyMs) scheduler.schedule(() => void samples.push(read()), t);
  return samples;
}
