import { expect } from 'chai';
import fc from 'fast-check';
import { createCheckpointTracker, compareWatermarks } from '../../src/state/checkpoint-tracker.js';
import type { Position } from '../../src/types/index.js';

const pos = (seq: number): Position => ({ seq, where: `test:${seq + 1}`, resume: { line: seq + 1 } });

describe('state/checkpoint-tracker', () => {
  it('has no checkpoint until the first record completes', () => {
    const tracker = createCheckpointTracker();
    tracker.track(pos(0));
    tracker.track(pos(1));
    expect(tracker.checkpoint).to.equal(undefined);
    expect(tracker.pending).to.equal(2);
  });

  it('does not move over a record without an outcome, then jumps over the completed run', () => {
    const tracker = createCheckpointTracker();
    for (let i = 0; i < 4; i += 1) tracker.track(pos(i));
    expect(tracker.complete(pos(2), '2024-01-03T00:00:00Z')).to.equal(false);
    expect(tracker.complete(pos(1), '2024-01-02T00:00:00Z')).to.equal(false);
    expect(tracker.checkpoint).to.equal(undefined);
    expect(tracker.buffered).to.equal(2);
    expect(tracker.complete(pos(0), '2024-01-01T00:00:00Z')).to.equal(true);
    expect(tracker.checkpoint).to.deep.equal({ seq: 2, resume: { line: 3 }, watermark: '2024-01-03T00:00:00Z' });
    expect(tracker.buffered).to.equal(0);
    expect(tracker.pending).to.equal(1);
  });

  it('takes the greatest watermark of the prefix, never one from above it', () => {
    const tracker = createCheckpointTracker();
    tracker.complete(pos(2), '2030-01-01T00:00:00Z');
    tracker.complete(pos(0), '2024-05-01T00:00:00Z');
    tracker.complete(pos(1));
    expect(tracker.checkpoint?.watermark).to.equal('2030-01-01T00:00:00Z');
    const t2 = createCheckpointTracker();
    t2.complete(pos(1), '2030-01-01T00:00:00Z');
    t2.complete(pos(0), '2024-05-01T00:00:00Z');
    expect(t2.checkpoint?.seq).to.equal(1);
    const t3 = createCheckpointTracker();
    t3.complete(pos(0), '2024-05-01T00:00:00Z');
    t3.complete(pos(2), '2030-01-01T00:00:00Z');
    expect(t3.checkpoint).to.deep.equal({ seq: 0, resume: { line: 1 }, watermark: '2024-05-01T00:00:00Z' });
  });

  it('compares watermarks as instants, not text', () => {
    const tracker = createCheckpointTracker();
    // 10:00+02:00 is 08:00Z: older than 09:00Z although it sorts after it as text.
    tracker.complete(pos(0), '2024-01-01T09:00:00Z');
    tracker.complete(pos(1), '2024-01-01T10:00:00+02:00');
    expect(tracker.checkpoint?.watermark).to.equal('2024-01-01T09:00:00Z');
    expect(compareWatermarks('b', 'a')).to.equal(1);
  });

  it('never moves the watermark below the previous run\'s', () => {
    const tracker = createCheckpointTracker({ startSeq: 0, initialWatermark: '2024-06-01T00:00:00Z' });
    tracker.complete(pos(0));
    expect(tracker.checkpoint?.watermark).to.equal('2024-06-01T00:00:00Z');
    tracker.complete(pos(1), '2024-01-01T00:00:00Z');
    expect(tracker.checkpoint?.watermark).to.equal('2024-06-01T00:00:00Z');
  });

  it('reports a null resume when the source cannot resume', () => {
    const tracker = createCheckpointTracker();
    tracker.complete({ seq: 0, where: 'stdin:1' });
    expect(tracker.checkpoint).to.deep.equal({ seq: 0, resume: null, watermark: null });
  });

  it('starts at startSeq', () => {
    const tracker = createCheckpointTracker({ startSeq: 10 });
    tracker.complete(pos(11));
    expect(tracker.checkpoint).to.equal(undefined);
    expect(tracker.pending).to.equal(1);
    tracker.complete(pos(10));
    expect(tracker.checkpoint?.seq).to.equal(11);
    expect(() => tracker.complete(pos(3))).to.throw(RangeError, /test:4.*below the start seq 10/);
  });

  it('refuses a second outcome for the same record', () => {
    const tracker = createCheckpointTracker();
    tracker.complete(pos(0));
    tracker.complete(pos(2));
    expect(() => tracker.complete(pos(0))).to.throw(RangeError, /test:1: seq 0 already has an outcome/);
    expect(() => tracker.complete(pos(2))).to.throw(RangeError, /seq 2 already has an outcome/);
  });

  it('counts records implied by a higher completion as pending, without track()', () => {
    const tracker = createCheckpointTracker();
    tracker.complete(pos(4));
    expect(tracker.pending).to.equal(4);
  });

  it('holds nothing when completions arrive in order (memory is the out-of-order window)', () => {
    const tracker = createCheckpointTracker();
    for (let i = 0; i < 100_000; i += 1) {
      tracker.track(pos(i));
      tracker.complete(pos(i));
      if (tracker.buffered !== 0) expect.fail(`buffered ${tracker.buffered} at ${i}`);
    }
    expect(tracker.checkpoint?.seq).to.equal(99_999);
    expect(tracker.pending).to.equal(0);
  });

  it('holds at most the window when completions arrive within a sliding window', () => {
    const tracker = createCheckpointTracker();
    const window = 8;
    let max = 0;
    // Complete each block of 8 in reverse: the worst case for a window of 8.
    for (let base = 0; base < 10_000; base += window) {
      for (let i = base + window - 1; i >= base; i -= 1) {
        tracker.complete(pos(i));
        max = Math.max(max, tracker.buffered);
      }
    }
    expect(max).to.equal(window - 1);
    expect(tracker.buffered).to.equal(0);
  });

  it('property: for any completion order, the checkpoint never passes a record without an outcome', () => {
    const scenario = fc
      .integer({ min: 1, max: 60 })
      .chain((n) => fc.record({
        order: fc.shuffledSubarray([...Array(n).keys()], { minLength: n, maxLength: n }),
        watermarks: fc.array(fc.option(fc.integer({ min: 0, max: 1e12 }).map((ms) => new Date(ms).toISOString()), { nil: undefined }), { minLength: n, maxLength: n }),
        startSeq: fc.integer({ min: 0, max: 1000 }),
      }));
    fc.assert(fc.property(scenario, ({ order, watermarks, startSeq }) => {
      const n = order.length;
      const tracker = createCheckpointTracker({ startSeq });
      for (let i = 0; i < n; i += 1) tracker.track(pos(startSeq + i));
      const done = new Set<number>();
      for (const i of order) {
        tracker.complete(pos(startSeq + i), watermarks[i]);
        done.add(i);
        let prefix = 0;
        while (done.has(prefix)) prefix += 1;
        const cp = tracker.checkpoint;
        if (prefix === 0) {
          expect(cp).to.equal(undefined);
        } else {
          expect(cp?.seq).to.equal(startSeq + prefix - 1);
          expect(cp?.resume).to.deep.equal({ line: startSeq + prefix });
          const marks = watermarks.slice(0, prefix).filter((w): w is string => w !== undefined).sort();
          expect(cp?.watermark).to.equal(marks.length ? marks[marks.length - 1] : null);
        }
        expect(tracker.pending).to.equal(n - done.size);
        expect(tracker.buffered).to.equal(done.size - prefix);
      }
      expect(tracker.checkpoint?.seq).to.equal(startSeq + n - 1);
      expect(tracker.checkpoint?.resume).to.deep.equal(pos(startSeq + n - 1).resume);
      expect(tracker.buffered).to.equal(0);
    }), { numRuns: 300 });
  });
});
