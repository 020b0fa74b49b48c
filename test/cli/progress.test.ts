import { expect } from 'chai';
import sinon from 'sinon';
import { Writable } from 'node:stream';
import { createProgress, formatDuration, progressLine } from '../../src/cli/progress.js';

/** A writable that records what is written; `tty` makes cli-progress treat it as a terminal. */
function screen(tty: boolean): Writable & { text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _enc, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return Object.assign(stream, { isTTY: tty, columns: 200, text: () => chunks.join('') });
}

const zero = { created: 0, updated: 0, sent: 0, unchanged: 0, skipped: 0, rejected: 0, failed: 0, deleted: 0 };

describe('cli/progress', () => {
  let clock: sinon.SinonFakeTimers;
  beforeEach(() => {
    clock = sinon.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => clock.restore());

  it('progressLine shows the bar, counts, rate and ETA when the total is known', () => {
    expect(progressLine({ done: 50, total: 200, elapsedMs: 10_000, counts: { ...zero, created: 45, rejected: 5 } }))
      .to.equal('[######------------------] 25% | 50/200 | 5.0 records/s | ETA 0:30 | created 45, rejected 5');
  });

  it('progressLine without a total: count and rate, no ETA', () => {
    expect(progressLine({ done: 1200, elapsedMs: 1000, counts: { ...zero, updated: 1200 } }))
      .to.equal('1200 records | 1200 records/s | updated 1200');
    expect(progressLine({ done: 0, total: 10, elapsedMs: 0, counts: zero })).to.contain('ETA ?');
  });

  it('formatDuration', () => {
    expect(formatDuration(75)).to.equal('1:15');
    expect(formatDuration(3725)).to.equal('1:02:05');
  });

  it('draws on a terminal and ends with the final counts', () => {
    const out = screen(true);
    const progress = createProgress({ enabled: true, stream: out });
    progress.setTotal(4);
    clock.tick(1000);
    progress.increment('created');
    progress.increment('created');
    progress.increment('skipped');
    clock.tick(1000);
    progress.increment('failed');
    progress.stop();
    expect(out.text()).to.contain('[########################] 100% | 4/4 | 2.0 records/s | ETA 0:00 | created 2, skipped 1, failed 1');
    expect(clock.countTimers()).to.equal(0);
  });

  it('redraws while running (virtual time)', () => {
    const out = screen(true);
    const progress = createProgress({ enabled: true, stream: out });
    progress.increment('updated');
    clock.tick(500);
    expect(out.text()).to.contain('1 records | ').and.to.contain('updated 1');
    progress.stop();
  });

  it('when asked for on a non-terminal, prints a line now and then instead of redrawing', () => {
    const out = screen(false);
    const progress = createProgress({ enabled: true, stream: out, total: 10 });
    progress.increment('created');
    clock.tick(2000);
    progress.stop();
    expect(out.text().split('\n').filter((l) => l.includes('1/10'))).to.have.length.greaterThan(1);
    expect(clock.countTimers()).to.equal(0);
  });

  it('draws nothing before the first outcome (no stray "0 records | 0.0 records/s" line)', () => {
    for (const out of [screen(true), screen(false)]) {
      const progress = createProgress({ enabled: true, stream: out });
      clock.tick(2000);
      expect(out.text()).to.equal('');
      progress.increment('unchanged');
      progress.stop();
      expect(out.text()).to.contain('1 records').and.to.contain('unchanged 1').and.not.to.contain('0 records |');
    }
    expect(clock.countTimers()).to.equal(0);
  });

  it('writes nothing when disabled, and is disabled by default on a non-terminal', () => {
    const out = screen(false);
    for (const progress of [createProgress({ enabled: false, stream: out }), createProgress({ stream: out })]) {
      progress.setTotal(2);
      progress.increment('created');
      progress.stop();
    }
    expect(out.text()).to.equal('');
    expect(clock.countTimers()).to.equal(0);
  });
});
