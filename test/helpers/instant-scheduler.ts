import { Subscription, type SchedulerAction, type SchedulerLike } from 'rxjs';

/**
 * A scheduler for tests whose HTTP is real (the fake Oro on 127.0.0.1), where RxJS's
 * `TestScheduler.run` cannot drive time: every delay asked for is recorded, and work due in less
 * than `holdFromMs` runs at once (its own `now()` moves on by the delay), so nobody waits. Longer
 * delays (a related-record wait bound) are held and never fire; `held` tells how many are still
 * pending (not cancelled).
 *
 * @example
 * const scheduler = instantScheduler();
 * source.pipe(retryTransient({ retries: 2, scheduler })); // retries at once
 * expect(scheduler.delays).to.deep.equal([1000, 1000]);   // the waits it asked for
 */
export interface InstantScheduler extends SchedulerLike {
  /** Every delay asked for, in order, held ones too. */
  readonly delays: readonly number[];
  /** Held work not cancelled. */
  readonly held: number;
}

export function instantScheduler(options: { readonly holdFromMs?: number } = {}): InstantScheduler {
  const holdFromMs = options.holdFromMs ?? 10_000;
  const delays: number[] = [];
  const held = new Set<Subscription>();
  let clock = 0;

  function schedule<T>(work: (this: SchedulerAction<T>, state?: T) => void, delay = 0, state?: T): Subscription {
    delays.push(delay);
    const action: SchedulerAction<T> = Object.assign(new Subscription(), {
      schedule: (nextState?: T, nextDelay = 0) => schedule(work, nextDelay, nextState),
    });
    if (delay < holdFromMs) {
      clock += delay;
      work.call(action, state);
      return action;
    }
    held.add(action);
    action.add(() => held.delete(action));
    return action;
  }

  return {
    now: () => clock,
    schedule,
    get delays() {
      return delays;
    },
    get held() {
      return held.size;
    },
  };
}
