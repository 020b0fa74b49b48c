import { expect } from 'chai';
import { createRateCeiling } from '../../src/oro/rate-ceiling.js';

/** `n` starts spread evenly over [from, from + 1000) ms; their tickets. */
function startOver(ceiling: ReturnType<typeof createRateCeiling>, n: number, from: number): number[] {
  return Array.from({ length: n }, (_, i) => ceiling.started(from + (i * 1000) / n));
}

describe('oro/createRateCeiling: a rate learned from 429s (AIMD on the rate)', () => {
  it('binds nothing until a 429, however many requests pass', () => {
    const ceiling = createRateCeiling();
    for (let second = 0; second < 5; second++) startOver(ceiling, 500, second * 1000);
    expect(ceiling.perSecond).to.equal(Infinity);
  });

  it('hands out increasing tickets', () => {
    const ceiling = createRateCeiling();
    expect([ceiling.started(0), ceiling.started(0), ceiling.started(5)]).to.deep.equal([1, 2, 3]);
  });

  it('a 429 sets it to 90 % of the starts that passed in the last second (the refused one not counted)', () => {
    const ceiling = createRateCeiling();
    startOver(ceiling, 50, 0);
    const refused = ceiling.started(999);
    ceiling.refused(refused, 999);
    expect(ceiling.perSecond).to.be.closeTo(45, 1e-9);
  });

  it('forgets starts older than the window (the current 100 ms slot and the nine before it)', () => {
    const ceiling = createRateCeiling();
    startOver(ceiling, 200, 0); // 200/s in the first second
    startOver(ceiling, 20, 1000); // 20/s in the second
    ceiling.refused(ceiling.started(1999), 1999);
    expect(ceiling.perSecond).to.be.closeTo(18, 1e-9);
  });

  it('within a second after a pause, lowers the ceiling it resumed at: a second that was partly pause measures nothing', () => {
    const ceiling = createRateCeiling();
    startOver(ceiling, 50, 0);
    ceiling.refused(ceiling.started(999), 999); // 45/s
    ceiling.pausedUntil(2000); // Retry-After: 1
    for (let k = 0; k < 3; k++) ceiling.started(2000 + 20 * k);
    ceiling.refused(ceiling.started(2099), 2099);
    // 0.9 x the 47.2 it had grown to (2/s a second for 1.1 s). Over the whole last second it
    // would have been 0.9 x 3, the pause counted as refusal.
    expect(ceiling.perSecond).to.be.closeTo(0.9 * 47.2, 1e-9);
    // A second after the pause ended, the rate that passed counts again.
    startOver(ceiling, 30, 3200);
    ceiling.refused(ceiling.started(4199), 4199);
    expect(ceiling.perSecond).to.be.closeTo(27, 1e-9);
  });

  it('is not lowered by a refusal that comes while a pause runs (a request in flight when a 503 paused everyone)', () => {
    const ceiling = createRateCeiling();
    startOver(ceiling, 50, 0);
    const inFlight = ceiling.started(990);
    ceiling.pausedUntil(2000); // a 503 with Retry-After: 1 at 1000 ms
    ceiling.refused(inFlight, 1010);
    expect(ceiling.perSecond).to.equal(Infinity);
    // Soon after the pause nothing was learned (no ceiling to lower); a second later, the rate that passed.
    for (let k = 0; k < 10; k++) ceiling.started(2000 + 20 * k);
    ceiling.refused(ceiling.started(2199), 2199);
    expect(ceiling.perSecond).to.equal(Infinity);
    startOver(ceiling, 40, 3100);
    ceiling.refused(ceiling.started(4099), 4099);
    expect(ceiling.perSecond).to.be.closeTo(36, 1e-9);
  });

  it('lowers it once per congestion event: refusals of requests started before the decrease say nothing new', () => {
    const ceiling = createRateCeiling();
    startOver(ceiling, 40, 0);
    const inFlight = [ceiling.started(990), ceiling.started(990), ceiling.started(990)]; // 43 started
    for (const ticket of inFlight) ceiling.refused(ticket, 995);
    expect(ceiling.perSecond).to.be.closeTo(0.9 * 42, 1e-9); // 43 started, 1 refused when it was lowered
    // A request started after the decrease, refused: a new event.
    const later = ceiling.started(1050);
    ceiling.refused(later, 1060);
    // The window (100..1099 ms) holds 36 of the first 40, 3 - 3 in flight, and the later one - 1.
    expect(ceiling.perSecond).to.be.closeTo(0.9 * 36, 1e-9);
  });

  it('never lowers it above what it was, nor below 1 request a second', () => {
    const ceiling = createRateCeiling();
    startOver(ceiling, 100, 0);
    ceiling.refused(ceiling.started(999), 999);
    expect(ceiling.perSecond).to.be.closeTo(90, 1e-9);
    // A burst of 100 more within the next 100 ms cannot raise it: 0.9 x min(90, 190).
    for (let i = 0; i < 100; i++) ceiling.started(1000 + i);
    ceiling.refused(ceiling.started(1099), 1099);
    expect(ceiling.perSecond).to.be.closeTo(0.9 * 90.2, 1e-9); // 90 grown by 2/s a second for 0.1 s
    // Nothing passing at all: the floor.
    const quiet = createRateCeiling();
    quiet.refused(quiet.started(0), 0);
    expect(quiet.perSecond).to.equal(1);
  });

  it('grows with time, by 2 % of itself a second (at least 2/s a second), as requests start, and is lifted at twice the rate at the 429', () => {
    const ceiling = createRateCeiling();
    startOver(ceiling, 200, 0);
    ceiling.refused(ceiling.started(999), 999); // 180/s; lifted at 400/s
    ceiling.started(1999); // one second later
    expect(ceiling.perSecond).to.be.closeTo(180 * 1.02, 1e-9);
    const slow = createRateCeiling();
    startOver(slow, 10, 0);
    slow.refused(slow.started(999), 999); // 9/s: 2 % would be less than 2/s
    slow.started(1499);
    expect(slow.perSecond).to.be.closeTo(10, 1e-9);
    let seconds = 1;
    while (ceiling.perSecond !== Infinity && seconds < 1000) ceiling.started(999 + 1000 * ++seconds);
    expect(ceiling.perSecond).to.equal(Infinity);
    expect(seconds).to.be.within(40, 42); // 180 x 1.02^n >= 400: n = 41
  });
});
