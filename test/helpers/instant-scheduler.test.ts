import { expect } from 'chai';
import { lastValueFrom, timer, toArray } from 'rxjs';
import { instantScheduler } from './instant-scheduler.js';

describe('test helper instantScheduler', () => {
  it('runs short delays at once, moving its own clock on, and records each delay', async () => {
    const scheduler = instantScheduler();
    const seen: number[] = [];
    const ticks = await lastValueFrom(timer(250, scheduler).pipe(toArray()));
    scheduler.schedule<number>(function (count = 0) {
      seen.push(scheduler.now());
      if (count < 2) this.schedule(count + 1, 1000);
    }, 100);
    expect(ticks).to.deep.equal([0]);
    expect(seen).to.deep.equal([350, 1350, 2350]);
    expect(scheduler.delays).to.deep.equal([250, 100, 1000, 1000]);
  });

  it('holds delays from holdFromMs on, until they are cancelled', () => {
    const scheduler = instantScheduler({ holdFromMs: 5_000 });
    let fired = false;
    const held = timer(5_000, scheduler).subscribe(() => (fired = true));
    expect(scheduler.held).to.equal(1);
    held.unsubscribe();
    expect(scheduler.held).to.equal(0);
    expect(fired).to.equal(false);
    expect(scheduler.delays).to.deep.equal([5_000]);
  });
});
