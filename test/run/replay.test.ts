import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { pino } from 'pino';
import { loadConfig } from '../../src/config/config.js';
import { replayDeadLetters } from '../../src/run/replay.js';
import { createRuntime, type Runtime } from '../../src/run/runtime.js';
import { startFakeOro, type FakeOro } from '../../src/testing/index.js';
import { SECRET_ENV, workspace, type Workspace } from '../helpers/cli.js';

describe('run/replayDeadLetters (fake Oro)', () => {
  let oro: FakeOro;
  let ws: Workspace;
  let runtime: Runtime;
  beforeEach(async () => {
    oro = await startFakeOro();
    ws = workspace();
    runtime = createRuntime({ logger: pino({ level: 'silent' }), concurrency: 8, timeoutMs: 5_000 });
  });
  afterEach(async () => {
    await runtime.close();
    await oro.close();
    ws.cleanup();
  });

  const letter = (record: unknown, where: string) =>
    `${JSON.stringify({ record, status: 'rejected', errors: [{ title: 'x' }], at: '2026-01-01T00:00:00.000Z', where })}\n`;

  it('sends the letters again: the ones that now sync leave the file, the refused ones and onMissing keys stay byte for byte', async () => {
    const refused = letter({ id: 'Q2' }, 'source.ndjson:2'); // no name: Oro refuses it again
    const missing = letter({ onMissing: 'delete', key: 'Z9', id: '4242' }, 'onMissing customers Z9');
    const letters = ws.write('old-letters.ndjson', letter({ id: 'Q1', name: 'Now fine' }, 'source.ndjson:1') + refused + missing);
    const { config } = await loadConfig(ws.config('customers', oro, { target: { relationships: {} } }), { [SECRET_ENV]: oro.clientSecret });

    const { result, removed, kept } = await replayDeadLetters(letters, config, runtime);
    expect(result.counts).to.include({ created: 1, rejected: 1, failed: 0 });
    expect({ removed, kept }).to.deep.equal({ removed: 1, kept: 2 });
    expect(ws.deadLetters()).to.deep.equal([]); // a replay writes no new letters: the file replayed is the record
    expect(readLines(letters)).to.deep.equal([refused, missing]);
    expect(oro.records('customers').map((c) => c.attributes?.['externalId'])).to.deep.equal(['Q1']);
  });
});

function readLines(path: string): string[] {
  return readFileSync(path, 'utf8').split(/(?<=\n)/);
}
