import { expect } from 'chai';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DecodeError } from '../../src/errors/index.js';
import {
  createDeadLetterWriter, readDeadLetters, rewriteDeadLetters,
  type DeadLetter, type DeadLetterWriter,
} from '../../src/state/dead-letters.js';
import { redactSecrets } from '../../src/util/redact.js';
import { failed, rejected, type Outcome, type SourceRecord } from '../../src/types/index.js';

const AT = new Date('2024-03-01T12:00:00.000Z');
const now = (): Date => AT;
const rec = (value: unknown, seq = 0, where = `customers.ndjson:${seq + 1}`): SourceRecord => ({ value, position: { seq, where, resume: { line: seq + 1 } } });

async function collect(path: string): Promise<Array<{ line: number; letter: DeadLetter }>> {
  const out: Array<{ line: number; letter: DeadLetter }> = [];
  for await (const entry of readDeadLetters(path)) out.push(entry);
  return out;
}

describe('state/dead-letters', () => {
  let dir: string;
  let file: string;
  const writers: DeadLetterWriter[] = [];
  const writer = (options: Parameters<typeof createDeadLetterWriter>[1] = { now }): DeadLetterWriter => {
    const w = createDeadLetterWriter(file, options);
    writers.push(w);
    return w;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'oro-sync-dl-'));
    file = join(dir, 'out', 'dead-letters.ndjson');
  });
  afterEach(async () => {
    for (const w of writers.splice(0)) await w.close().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes one line per rejected or failed record, in the contract\'s format', async () => {
    const w = writer();
    const r1 = rejected(rec({ id: 'C-1', name: '' }), [
      { status: '400', title: 'not blank constraint', detail: 'This value should not be blank.', pointer: '/data/attributes/name', parameter: 'x' },
    ]);
    const r2 = failed(rec({ id: 'C-2' }, 1, ''), [{ status: 503, title: 'HttpError' }]);
    expect(w.write(r1)).to.equal(true);
    expect(w.write(r2)).to.equal(true);
    await w.close();
    expect(w.count).to.equal(2);
    expect(readFileSync(file, 'utf8')).to.equal(
      '{"record":{"id":"C-1","name":""},"status":"rejected","errors":[{"status":"400","title":"not blank constraint","detail":"This value should not be blank.","pointer":"/data/attributes/name"}],"at":"2024-03-01T12:00:00.000Z","where":"customers.ndjson:1"}\n'
      + '{"record":{"id":"C-2"},"status":"failed","errors":[{"status":503,"title":"HttpError"}],"at":"2024-03-01T12:00:00.000Z"}\n',
    );
  });

  it('writes the record as the source gave it, not its mapped form', async () => {
    const w = writer();
    const mapped: SourceRecord = { value: { type: 'customers', attributes: { name: 'X' } }, raw: { id: 'C-9', name: 'X' }, position: { seq: 0, where: 'a.csv:2' } };
    w.write(rejected(mapped, [{ title: 'bad' }]));
    await w.close();
    expect((await collect(file))[0]?.letter.record).to.deep.equal({ id: 'C-9', name: 'X' });
  });

  it('ignores outcomes that are not rejected or failed, and creates no file for them', async () => {
    const w = writer();
    const outcomes: Outcome[] = [
      { status: 'created', id: '1', record: rec({ id: 'a' }) },
      { status: 'updated', id: '2', record: rec({ id: 'b' }) },
      { status: 'skipped', reason: 'exists', record: rec({ id: 'c' }) },
    ];
    for (const o of outcomes) expect(w.write(o)).to.equal(false);
    await w.flush();
    await w.close();
    expect(w.count).to.equal(0);
    expect(existsSync(file)).to.equal(false);
  });

  it('appends to an existing file', async () => {
    const w1 = writer();
    w1.write(rejected(rec({ id: 1 }), [{ title: 'a' }]));
    await w1.close();
    const w2 = writer();
    w2.write(rejected(rec({ id: 2 }), [{ title: 'b' }]));
    await w2.close();
    expect((await collect(file)).map((e) => e.letter.record)).to.deep.equal([{ id: 1 }, { id: 2 }]);
  });

  it('has every line on disk after flush(), before close()', async () => {
    const w = writer();
    for (let i = 0; i < 1000; i += 1) w.write(rejected(rec({ id: i }, i), [{ title: 'bad' }]));
    await w.flush();
    expect(readFileSync(file, 'utf8').split('\n').filter(Boolean)).to.have.length(1000);
  });

  it('creates the file readable by its owner only', async function () {
    if (process.platform === 'win32') this.skip();
    const w = writer();
    w.write(rejected(rec({ id: 1 }), [{ title: 'a' }]));
    await w.close();
    expect(statSync(file).mode & 0o077).to.equal(0);
  });

  it('refuses writes after close', async () => {
    const w = writer();
    await w.close();
    expect(() => w.write(rejected(rec({}), [{ title: 'a' }]))).to.throw(/dead-letters\.ndjson: write after close/);
  });

  it('reports a directory it cannot create, naming the file', () => {
    writeFileSync(join(dir, 'out'), 'a file where the directory should be');
    const w = writer();
    expect(() => w.write(rejected(rec({}), [{ title: 'a' }]))).to.throw(/dead-letter file .*dead-letters\.ndjson: E[A-Z]+: .*mkdir/);
  });

  it('reports a write error on flush and on later writes, naming the file', async () => {
    const target = join(dir, 'is-a-dir');
    mkdirSync(target);
    const w = createDeadLetterWriter(target, { now });
    writers.push(w);
    w.write(rejected(rec({}), [{ title: 'a' }]));
    const error = await w.flush().then(() => undefined, (e: unknown) => e);
    expect((error as Error).message).to.match(/dead-letter file .*is-a-dir: EISDIR/);
    expect(() => w.write(rejected(rec({}), [{ title: 'a' }]))).to.throw(/is-a-dir: EISDIR/);
  });

  describe('secrets', () => {
    it('drops secret-named keys at any depth and scrubs bearer tokens from the line', async () => {
      const w = writer();
      w.write(rejected(rec({
        email: 'a@example.com', password: 'x-hunter2',
        nested: { Authorization: 'Bearer eyJ.leak.sig', deeper: [{ clientSecret: 'cs-leak', access_token: 'at-leak', TOKEN: 'tk-leak' }] },
        note: 'sent with Authorization: Bearer eyJhbGciOi.body.sig',
      }), [
        { status: '401', title: 'unauthorized', detail: 'request had header "Authorization: Bearer abc.def.ghi"' },
        { title: 'oops', detail: 'client_secret=supersecret&grant_type=client_credentials' },
      ]));
      await w.close();
      const text = readFileSync(file, 'utf8');
      for (const leak of ['x-hunter2', 'eyJ.leak.sig', 'cs-leak', 'at-leak', 'tk-leak', 'eyJhbGciOi', 'abc.def.ghi', 'supersecret']) {
        expect(text, leak).to.not.contain(leak);
      }
      const [entry] = await collect(file);
      expect(entry?.letter.record).to.deep.equal({
        email: 'a@example.com',
        nested: { deeper: [{}] },
        note: 'sent with Authorization: [redacted]',
      });
      expect(entry?.letter.errors[0]?.title).to.equal('unauthorized');
    });

    it('uses the redact function given in options instead of the default', async () => {
      const w = writer({ now, redact: (letter) => redactSecrets({ ...letter, record: { masked: true } }) });
      w.write(rejected(rec({ password: 'x' }), [{ title: 'a' }]));
      await w.close();
      expect((await collect(file))[0]?.letter.record).to.deep.equal({ masked: true });
    });
  });

  describe('reading back', () => {
    it('yields every letter with its 1-based line, skipping blank lines', async () => {
      const w = writer();
      w.write(rejected(rec({ id: 1 }), [{ title: 'a', pointer: '/data/attributes/name' }]));
      w.write(failed(rec({ id: 2 }, 1), [{ title: 'b', status: 503 }]));
      await w.close();
      writeFileSync(file, `${readFileSync(file, 'utf8')}\n`, { flag: 'w' });
      const entries = await collect(file);
      expect(entries.map((e) => e.line)).to.deep.equal([1, 2]);
      expect(entries[1]?.letter).to.deep.equal({
        record: { id: 2 }, status: 'failed', errors: [{ title: 'b', status: 503 }], at: AT.toISOString(), where: 'customers.ndjson:2',
      });
    });

    it('names file:line of a line that is not JSON', async () => {
      const path = join(dir, 'bad.ndjson');
      writeFileSync(path, '{"record":1,"status":"rejected","errors":[],"at":"x"}\n{oops\n');
      const error = await collect(path).then(() => undefined, (e: unknown) => e);
      expect(error).to.be.instanceOf(DecodeError);
      expect((error as Error).message).to.match(/bad\.ndjson:2: not JSON/);
    });

    it('names file:line and the field of a line that is not a dead letter', async () => {
      const path = join(dir, 'bad.ndjson');
      writeFileSync(path, '\n{"record":1,"status":"lost","errors":[{"title":"a"}],"at":"x"}\n');
      const error = await collect(path).then(() => undefined, (e: unknown) => e);
      expect((error as Error).message).to.match(/bad\.ndjson:2: not a dead letter: status: expected "rejected" \| "failed", got "lost"/);
    });

    it('names the missing file', async () => {
      const error = await collect(join(dir, 'nope.ndjson')).then(() => undefined, (e: unknown) => e);
      expect((error as Error).message).to.match(/ENOENT.*nope\.ndjson/);
    });
  });

  describe('rewriting', () => {
    const fill = async (n: number): Promise<string> => {
      const w = writer();
      for (let i = 0; i < n; i += 1) w.write(rejected(rec({ id: i }, i), [{ title: `e${i}` }]));
      await w.close();
      return readFileSync(file, 'utf8');
    };

    it('keeps only the letters keep() wants, byte for byte, and counts both', async () => {
      const before = (await fill(5)).split('\n');
      const seen: number[] = [];
      const result = await rewriteDeadLetters(file, (letter, line) => {
        seen.push(line);
        return (letter.record as { id: number }).id % 2 === 0;
      });
      expect(result).to.deep.equal({ kept: 3, removed: 2 });
      expect(seen).to.deep.equal([1, 2, 3, 4, 5]);
      expect(readFileSync(file, 'utf8')).to.equal(`${[before[0], before[2], before[4]].join('\n')}\n`);
      expect(statSync(file).mode & 0o777).to.equal(0o600);
      expect(readdirSync(join(dir, 'out'))).to.deep.equal(['dead-letters.ndjson']);
    });

    it('accepts an async keep()', async () => {
      await fill(3);
      expect(await rewriteDeadLetters(file, async () => Promise.resolve(false))).to.deep.equal({ kept: 0, removed: 3 });
      expect(readFileSync(file, 'utf8')).to.equal('');
    });

    it('leaves the original untouched and no temp file when a line is malformed', async () => {
      const original = `${await fill(2)}not json\n`;
      writeFileSync(file, original);
      const error = await rewriteDeadLetters(file, () => false).then(() => undefined, (e: unknown) => e);
      expect((error as Error).message).to.match(/dead-letters\.ndjson:3: not JSON/);
      expect(readFileSync(file, 'utf8')).to.equal(original);
      expect(readdirSync(join(dir, 'out'))).to.deep.equal(['dead-letters.ndjson']);
    });

    it('leaves the original untouched when keep() throws', async () => {
      const original = await fill(2);
      const error = await rewriteDeadLetters(file, () => { throw new Error('replay broke'); }).then(() => undefined, (e: unknown) => e);
      expect((error as Error).message).to.equal('replay broke');
      expect(readFileSync(file, 'utf8')).to.equal(original);
      expect(readdirSync(join(dir, 'out'))).to.deep.equal(['dead-letters.ndjson']);
    });
  });
});
