import { Subscription, VirtualTimeScheduler, type SchedulerAction } from 'rxjs';

/** Lets promise callbacks and I/O that are ready run (one turn of the event loop). */
export const turn = (): Promise<void> => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * A `VirtualTimeScheduler` that the test moves: code under test waits on it (`sleep`, timers,
 * retries), nothing waits on the wall clock. Between two due actions the event loop turns, so
 * promise chains and requests to a local server can go on.
 */
export class VirtualClock extends VirtualTimeScheduler {
  /** The delay of every action scheduled so far, in order: what the code under test waited for. */
  readonly delays: number[] = [];

  constructor(start = 0) {
    super();
    this.frame = start;
  }

  override schedule<T>(work: (this: SchedulerAction<T>, state?: T) => void, delay = 0, state?: T): Subscription {
    this.delays.push(delay);
    return super.schedule(work, delay, state);
  }

  /** Actions waiting to run. */
  get pending(): number {
    return this.actions.length;
  }

  /** Moves time forward by `ms`, running each action that falls due on the way. */
  async advance(ms: number): Promise<void> {
    const target = this.frame + ms;
    await turn();
    for (let next = this.actions[0]; next !== undefined && next.delay <= target; next = this.actions[0]) {
      this.fire(next.delay);
      await turn();
    }
    this.frame = target;
  }

  /**
   * Settles `promise`, firing the next due action whenever the event loop has turned and the
   * promise is still pending (time "passes" only while the code waits on it). Actions more than
   * `horizonMs` ahead of the start (a token's renewal an hour away) are left alone.
   */
  async run<T>(promise: Promise<T>, horizonMs = Infinity): Promise<T> {
    const limit = this.frame + horizonMs;
    let settled = false;
    promise.then(() => (settled = true), () => (settled = true));
    for (;;) {
      await turn();
      if (settled) return promise;
      const next = this.actions[0];
      if (next !== undefined && next.delay <= limit) this.fire(next.delay);
    }
  }

  private fire(until: number): void {
    this.maxFrames = until;
    try {
      this.flush();
    } finally {
      this.maxFrames = Infinity;
    }
  }
}
