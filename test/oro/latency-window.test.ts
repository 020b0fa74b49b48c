import { expect } from 'chai';
import { createLatencyWindow, ratioWithoutOutliers } from '../../src/oro/latency-window.js';

describe('oro/latency-window', () => {
  describe('ratioWithoutOutliers', () => {
    const same = (ratios: number[]) => ratioWithoutOutliers(ratios, ratios.map(() => 1));

    it('leaves out one request far slower than the rest', () => {
      expect(same([1, 1, 1, 1, 1, 1, 1, 10])).to.equal(1);
    });

    it('keeps a queue of one in eight (a step of one service time is not an outlier)', () => {
      expect(same([1, 1, 1, 1, 1, 1, 1, 2])).to.equal(1.125);
      expect(same([1, 1, 1, 1, 2, 2, 2, 2])).to.equal(1.5);
    });

    it('leaves out at most an eighth (rounded up): many slow requests are queueing, not outliers', () => {
      expect(same([1, 1, 1, 1, 1, 10, 10, 10])).to.equal((5 + 20) / 7);
    });

    it("weighs each request by its time: a lookup's few ms of client lag count for little against a batch", () => {
      // Two 22 ms lookups that took 40 ms (client lag), two 220 ms batches served unloaded.
      expect(ratioWithoutOutliers([40, 40, 220, 220], [22, 22, 220, 220])).to.be.closeTo(520 / 484, 1e-12);
    });
  });

  describe('createLatencyWindow', () => {
    it('reads each latency against the lowest seen for its kind', () => {
      const w = createLatencyWindow();
      w.started(1, 'read/0', 1, true, 0);
      w.started(2, 'batch/53', 2, true, 0);
      w.started(3, 'read/0', 3, true, 0);
      w.started(4, 'batch/53', 4, true, 0);
      expect(w.succeeded(1, 20, 4)).to.equal(undefined);
      expect(w.succeeded(3, 40, 4)).to.equal(undefined);
      expect(w.succeeded(2, 200, 4)).to.equal(undefined);
      const reading = w.succeeded(4, 300, 4)!;
      expect(reading.ratio).to.equal((20 + 40 + 200 + 300) / (20 + 20 + 200 + 200));
      expect(reading.load).to.equal(2.5);
      expect(reading.full).to.equal(true);
      expect([...reading.lowest]).to.deep.equal([['read/0', 20], ['batch/53', 200]]);
    });

    it('after a restart, counts only requests started once the old ones have drained (all but an eighth)', () => {
      const w = createLatencyWindow();
      for (let t = 1; t <= 8; t++) w.started(t, 'k', t, true, 0);
      w.restart();
      // Each old request that ends is replaced by a new one: eight in flight throughout.
      for (let t = 1; t <= 7; t++) {
        expect(w.succeeded(t, 100, 2)).to.equal(undefined);
        w.started(8 + t, 'k', 8, true, 100);
      }
      // One old request is left (an eighth of eight) since 7 ended: 9..14 started before that, 15 on count.
      w.started(16, 'k', 8, true, 100);
      for (let t = 9; t <= 14; t++) expect(w.succeeded(t, 400, 2), `ticket ${t}`).to.equal(undefined);
      expect(w.succeeded(15, 200, 2)).to.equal(undefined);
      expect(w.succeeded(16, 200, 2)).to.deep.include({ ratio: 1, load: 8 });
    });

    it('takes no sample from a request answered within the same clock tick, nor from one that only ended', () => {
      const w = createLatencyWindow();
      w.started(1, 'k', 1, true, 5);
      w.started(2, 'k', 1, true, 5);
      expect(w.succeeded(1, 5, 1)).to.equal(undefined);
      w.ended(2);
      expect(w.succeeded(2, 50, 1)).to.equal(undefined);
    });

    it('takes what it is told as the unloaded latency when it learns again', () => {
      const w = createLatencyWindow();
      w.started(1, 'k', 1, true, 0);
      expect(w.succeeded(1, 100, 1)!.ratio).to.equal(1);
      w.relearn(new Map([['k', 50]]));
      w.started(2, 'k', 1, true, 0);
      expect(w.succeeded(2, 100, 1)!.ratio).to.equal(2);
    });
  });
});
