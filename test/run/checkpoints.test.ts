import { expect } from 'chai';
import sinon from 'sinon';
import { runCheckpoints, type RunCheckpointsInput } from '../../src/run/checkpoints.js';
import type { CheckpointInput } from '../../src/state/state-store.js';
import type { SourceRecord } from '../../src/types/record.js';

const record = (seq: number, updatedAt?: string): SourceRecord => ({
  value: { id: `C-${seq}`, ...(updatedAt ? { updatedAt } : {}) },
  position: { seq, where: `c.ndjson:${seq + 1}`, resume: { line: seq + 1 } },
});

/** A store that keeps every checkpoint saved; `fail` makes the next save reject. */
function savingStore() {
  const saved: CheckpointInput[] = [];
  let fail: Error | undefined;
  const store: RunCheckpointsInput['store'] = {
    saveCheckpoint: (pipeline, checkpoint) => {
      expect(pipeline).to.equal('customers');
      if (fail) {
        const error = fail;
        fail = undefined;
        return Promise.reject(error);
      }
      saved.push(checkpoint);
      return Promise.resolve();
    },
  };
  return { store, saved, failNext: (error: Error) => void (fail = error) };
}

describe('run/runCheckpoints', () => {
  let clock: sinon.SinonFakeTimers;
  beforeEach(() => (clock = sinon.useFakeTimers()));
  afterEach(() => clock.restore());

  const input = (store: RunCheckpointsInput['store'], more: Partial<RunCheckpointsInput> = {}): RunCheckpointsInput => ({
    store, pipeline: 'customers', watermarkField: undefined, savedWatermark: undefined, save: true, ...more,
  });

  it('saves a moved checkpoint 200 ms after it moved, once for many completions, with the watermark the last complete run left', async () => {
    const { store, saved } = savingStore();
    const checkpoints = runCheckpoints(input(store, { watermarkField: 'updatedAt', savedWatermark: '2026-01-01T00:00:00Z' }));
    checkpoints.complete(record(1, '2026-02-01T00:00:00Z')); // above the frontier: the checkpoint does not move
    await clock.tickAsync(500);
    expect(saved).to.deep.equal([]);
    checkpoints.complete(record(0, '2026-03-01T00:00:00Z'));
    checkpoints.complete(record(2, '2026-04-01T00:00:00Z'));
    await clock.tickAsync(199);
    expect(saved).to.deep.equal([]);
    await clock.tickAsync(1);
    expect(saved).to.deep.equal([{ seq: 2, resume: { line: 3 }, watermark: '2026-01-01T00:00:00Z' }]);
  });

  it('finish saves the checkpoint as it stands after the earlier saves; cancel drops the one on its timer', async () => {
    const { store, saved } = savingStore();
    const checkpoints = runCheckpoints(input(store));
    checkpoints.complete(record(0));
    checkpoints.cancel();
    await clock.tickAsync(1_000);
    expect(saved).to.deep.equal([]);
    await checkpoints.finish();
    expect(saved).to.deep.equal([{ seq: 0, resume: { line: 1 }, watermark: null }]);
  });

  it('a save that failed on its timer crashes nothing and makes finish reject with its error', async () => {
    const { store, saved, failNext } = savingStore();
    const checkpoints = runCheckpoints(input(store));
    failNext(new Error('disk full'));
    checkpoints.complete(record(0));
    await clock.tickAsync(200);
    checkpoints.complete(record(1));
    const error = await checkpoints.finish().then(() => undefined, (e: unknown) => e as Error);
    expect(error?.message).to.equal('disk full');
    // The later save still ran, after the failed one.
    expect(saved).to.deep.equal([{ seq: 1, resume: { line: 2 }, watermark: null }]);
  });

  it('a complete run keeps the position (or the plan\'s when nothing was read) and the file mark; with a watermark, the newest one', async () => {
    const mark = { dev: '1', ino: '2', size: 3, head: 'abc', tail: 'def' };
    const plain = savingStore();
    await runCheckpoints(input(plain.store)).saveComplete({ whole: false, resume: { line: 7 }, mark });
    expect(plain.saved).to.deep.equal([{ seq: -1, resume: { line: 7 }, watermark: null, complete: true, sourceMark: mark }]);

    const incremental = savingStore();
    const checkpoints = runCheckpoints(input(incremental.store, { watermarkField: 'updatedAt', savedWatermark: '2026-01-01T00:00:00Z' }));
    checkpoints.complete(record(0, '2026-03-01T00:00:00Z'));
    checkpoints.cancel();
    await checkpoints.saveComplete({ whole: true });
    expect(incremental.saved).to.deep.equal([{ seq: -1, resume: null, watermark: '2026-03-01T00:00:00Z', complete: true, sourceMark: null }]);
  });

  it('saves nothing when told not to (a dry run, a given source), the tracker still checking each record completes once', async () => {
    const { store, saved } = savingStore();
    const checkpoints = runCheckpoints(input(store, { save: false }));
    checkpoints.complete(record(0));
    expect(() => checkpoints.complete(record(0))).to.throw(RangeError);
    await clock.tickAsync(1_000);
    await checkpoints.finish();
    await checkpoints.saveComplete({ whole: true });
    expect(saved).to.deep.equal([]);
  });
});
