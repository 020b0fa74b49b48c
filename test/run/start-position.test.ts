import { expect } from 'chai';
import type { Config } from '../../src/config/config-types.js';
import { describeFileMark, planStart } from '../../src/run/start-position.js';
import type { StoredCheckpoint } from '../../src/state/state-store.js';

/** An http export config (only what planStart reads). */
const http = (changes: 'auto' | 'append' | 'snapshot', watermark?: string) =>
  ({ source: { kind: 'http', url: 'http://127.0.0.1:1/export', changes }, schedule: watermark ? { watermark } : {} }) as unknown as Config;
const checkpoint = (complete: boolean, resume: StoredCheckpoint['resume'], watermark: string | null = null): StoredCheckpoint =>
  ({ seq: 7, resume, watermark, complete, sourceMark: null, updatedAt: '2026-01-01T00:00:00.000Z' });

describe('run/start-position: where a run of an http export starts', () => {
  it('after a complete run: the whole export again (auto, no watermark)', async () => {
    const plan = await planStart({ config: http('auto'), saved: checkpoint(true, { page: 4, skip: 2 }), lastRunComplete: true });
    expect(plan).to.deep.equal({ whole: true, reason: 'the export lists every record (http source): reading it whole' });
  });

  it('after an interrupted run: at its page, whatever source.changes says', async () => {
    for (const changes of ['auto', 'snapshot', 'append'] as const) {
      const plan = await planStart({ config: http(changes), saved: checkpoint(false, { page: 4, skip: 2 }), lastRunComplete: false });
      expect(plan, changes).to.deep.include({ resume: { page: 4, skip: 2 }, whole: false, reason: 'resuming from checkpoint: the last run was interrupted' });
    }
  });

  it('with schedule.watermark after a complete run: incremental, from the saved watermark', async () => {
    const plan = await planStart({ config: http('auto', 'updatedAt'), saved: checkpoint(true, null, '2026-01-02T00:00:00Z'), lastRunComplete: true });
    expect(plan).to.deep.equal({ whole: true, reason: 'the export is read for records changed since 2026-01-02T00:00:00Z (schedule.watermark)' });
  });

  it('"append" continues after the last record of a complete run; "snapshot" reads whole', async () => {
    expect(await planStart({ config: http('append'), saved: checkpoint(true, { page: 4, skip: 2 }), lastRunComplete: true })).to.deep.include({ resume: { page: 4, skip: 2 }, whole: false });
    expect(await planStart({ config: http('snapshot'), saved: checkpoint(true, { page: 4, skip: 2 }), lastRunComplete: true })).to.deep.include({ whole: true });
  });
});

describe('run/start-position: where a run of an oro source starts', () => {
  const oro = { source: { kind: 'oro', type: 'orders', pageSize: 100 }, schedule: {} } as unknown as Config;
  const keyset = { updatedAt: '2026-01-05T10:00:00Z', id: '42' };

  it('a first run reads from the start (or source.since)', async () => {
    expect(await planStart({ config: oro, saved: undefined, lastRunComplete: false })).to.deep.equal({ whole: true });
  });

  it('after a complete run: after the newest change it delivered, so only what changed since', async () => {
    expect(await planStart({ config: oro, saved: checkpoint(true, keyset), lastRunComplete: true })).to.deep.equal({
      resume: keyset, whole: false, reason: 'orders: reading what changed after updatedAt 2026-01-05T10:00:00Z, id 42',
    });
  });

  it('after an interrupted run: at its keyset', async () => {
    expect(await planStart({ config: oro, saved: checkpoint(false, keyset), lastRunComplete: false })).to.deep.include({ resume: keyset, whole: false });
  });
});

describe('run/start-position: describeFileMark', () => {
  it('puts a file\'s stored mark in words (head cut to 12 hex digits); anything else is not a file mark', () => {
    expect(describeFileMark({ dev: '2049', ino: '131', size: 512, head: 'a1b2c3d4e5f6a7b8', tail: 'ff' })).to.equal('file device 2049 inode 131, 512 bytes, head a1b2c3d4e5f6…');
    expect(describeFileMark({ page: 3 })).to.equal(undefined);
    expect(describeFileMark(null)).to.equal(undefined);
  });
});
