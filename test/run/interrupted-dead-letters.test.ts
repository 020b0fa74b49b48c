import { expect } from 'chai';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStateStore } from '../../src/state/sqlite-state-store.js';
import { deadLetteredByInterruptedRuns } from '../../src/run/interrupted-dead-letters.js';

const letter = (where: string, at: string) => JSON.stringify({ record: { id: where }, status: 'rejected', errors: [{ title: 'x' }], at, where });

describe('run/deadLetteredByInterruptedRuns', () => {
  let dir: string;
  beforeEach(async () => (dir = await mkdtemp(join(tmpdir(), 'oro-sync-dl-'))));
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  it('names the positions dead-lettered since the oldest run that never finished, and nothing before it', async () => {
    let clock = Date.parse('2026-01-01T00:00:00Z');
    const store = openStateStore(':memory:', { now: () => new Date(clock) });
    const done = await store.startRun('customers');
    clock += 1000;
    await store.finishRun(done, { counts: { created: 1, updated: 0, sent: 0, unchanged: 0, skipped: 0, rejected: 1, failed: 0, deleted: 0 }, status: 'partial' });
    clock += 1000;
    await store.startRun('customers'); // killed
    clock += 5000;
    await store.startRun('customers'); // killed again
    const file = join(dir, 'dl.ndjson');
    await writeFile(file, [
      letter('in.ndjson:1', '2026-01-01T00:00:00.500Z'), // the finished run's: a new run may write it again
      letter('in.ndjson:7', '2026-01-01T00:00:03.000Z'),
      letter('in.ndjson:9', '2026-01-01T00:00:08.000Z'),
    ].join('\n') + '\n');
    expect([...(await deadLetteredByInterruptedRuns(store, 'customers', file))].sort()).to.deep.equal(['in.ndjson:7', 'in.ndjson:9']);
    await store.close();
  });

  it('is empty when the last run finished, or when there is no dead-letter file yet', async () => {
    const store = openStateStore(':memory:');
    const run = await store.startRun('customers');
    expect((await deadLetteredByInterruptedRuns(store, 'customers', join(dir, 'none.ndjson'))).size).to.equal(0);
    await store.finishRun(run, { counts: { created: 0, updated: 0, sent: 0, unchanged: 0, skipped: 0, rejected: 0, failed: 0, deleted: 0 }, status: 'ok' });
    await writeFile(join(dir, 'dl.ndjson'), letter('a:1', new Date().toISOString()) + '\n');
    expect((await deadLetteredByInterruptedRuns(store, 'customers', join(dir, 'dl.ndjson'))).size).to.equal(0);
    await store.close();
  });
});
