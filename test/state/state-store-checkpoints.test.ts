import { expect } from 'chai';
import { openStateStore } from '../../src/state/state-store.js';

describe('state/state-store: complete checkpoints (schema 3)', () => {
  it('a checkpoint is mid-run (complete false) unless saved complete, with its source mark', async () => {
    const store = openStateStore(':memory:');
    await store.saveCheckpoint('p', { seq: 3, resume: { line: 4 }, watermark: null });
    expect(await store.getCheckpoint('p')).to.include({ complete: false, sourceMark: null });
    await store.saveCheckpoint('p', { seq: 3, resume: { line: 4 }, watermark: null, complete: true, sourceMark: { ino: '7' } });
    expect(await store.getCheckpoint('p')).to.deep.include({ complete: true, sourceMark: { ino: '7' } });
    await store.close();
  });
});
