import { expect } from 'chai';
import { openStateStore } from '../../src/state/state-store.js';

describe('state/state-store: schema 2 (complete checkpoints, keys per pipeline)', () => {
  it('a checkpoint is mid-run (complete false) unless saved complete, with its source mark', () => {
    const store = openStateStore(':memory:');
    store.saveCheckpoint('p', { seq: 3, resume: { line: 4 }, watermark: null });
    expect(store.getCheckpoint('p')).to.include({ complete: false, sourceMark: null });
    store.saveCheckpoint('p', { seq: 3, resume: { line: 4 }, watermark: null, complete: true, sourceMark: { ino: '7' } });
    expect(store.getCheckpoint('p')).to.deep.include({ complete: true, sourceMark: { ino: '7' } });
    store.close();
  });

  it('knows which keys a pipeline wrote, which a run did not see, and each key\'s last outcome', () => {
    const store = openStateStore(':memory:', { now: () => new Date('2024-01-01T00:00:00Z') });
    store.putIds('customers', 'externalId', [['A', '1'], ['B', '2'], ['C', '3']]);
    store.markSeen('p', 'customers', 'externalId', 1, [{ key: 'A', outcome: 'created' }, { key: 'B', outcome: 'created' }, { key: 'C', outcome: 'created' }]);
    store.markSeen('p', 'customers', 'externalId', 2, [{ key: 'A', outcome: 'updated' }, { key: 'D', outcome: 'rejected' }]);
    expect(store.countKnownKeys('p', 'customers', 'externalId')).to.equal(3);
    expect(store.countMissingKeys('p', 'customers', 'externalId', 2)).to.equal(2);
    expect(store.missingKeys('p', 'customers', 'externalId', 2, '', 1)).to.deep.equal([{ key: 'B', id: '2' }]);
    expect(store.missingKeys('p', 'customers', 'externalId', 2, 'B', 10)).to.deep.equal([{ key: 'C', id: '3' }]);
    expect(store.countKnownKeys('other', 'customers', 'externalId')).to.equal(0);
    store.forgetKey('p', 'customers', 'externalId', 'B');
    expect(store.getIds('customers', 'externalId', ['B']).size).to.equal(0);
    expect(store.countKnownKeys('p', 'customers', 'externalId')).to.equal(2);
    expect(store.keyState('p', 'customers', 'externalId', 'A')).to.deep.equal({ key: 'A', id: '1', lastOutcome: 'updated', lastAt: '2024-01-01T00:00:00.000Z', seenRun: 2 });
    expect(store.keyState('p', 'customers', 'externalId', 'nope')).to.equal(undefined);
    const waiting = store.waitingKeys('p', 'customers', 'externalId', 5);
    expect(waiting).to.deep.include({ rejected: 1, failed: 0 });
    expect(waiting.keys.map((k) => k.key)).to.deep.equal(['D']);
    store.close();
  });
});
