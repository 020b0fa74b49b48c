import { expect } from 'chai';
import { join } from 'node:path';
import { DecodeError } from '../../src/errors/index.js';
import { jsonFile } from '../../src/sources/json.js';
import type { SourceRecord } from '../../src/types/record.js';
import { collect } from './serve.js';
import { tmpDir } from './tmp-files.js';

async function drain(source: AsyncIterable<SourceRecord>): Promise<{ records: SourceRecord[]; error: Error | undefined }> {
  const records: SourceRecord[] = [];
  try {
    for await (const record of source) records.push(record);
  } catch (error) {
    return { records, error: error as Error };
  }
  return { records, error: undefined };
}

describe('jsonFile', () => {
  const tmp = tmpDir();
  after(() => tmp.cleanup());

  it('reads a top-level array; positions file#index, resume {index}', async () => {
    const path = tmp.file('top.json', '[{"id":1},{"id":2},\n {"id":3}]');
    const records = await collect(jsonFile(path));
    expect(records).to.deep.equal([
      { value: { id: 1 }, position: { seq: 0, where: `${path}#0`, resume: { index: 0 } } },
      { value: { id: 2 }, position: { seq: 1, where: `${path}#1`, resume: { index: 1 } } },
      { value: { id: 3 }, position: { seq: 2, where: `${path}#2`, resume: { index: 2 } } },
    ]);
  });

  it('reads the array at itemsPath, ignoring arrays elsewhere', async () => {
    const path = tmp.file(
      'nested.json',
      JSON.stringify({ meta: { tags: [1, 2] }, export: { items: [{ id: 'a', lines: [1] }, { id: 'b' }], count: 2 }, more: [9] }, null, 2),
    );
    const records = await collect(jsonFile(path, { itemsPath: 'export.items' }));
    expect(records.map((r) => r.value)).to.deep.equal([{ id: 'a', lines: [1] }, { id: 'b' }]);
  });

  it('resumes after the index of a resume token', async () => {
    const path = tmp.file('resume.json', '[1,2,3,4,5]');
    const records = await collect(jsonFile(path, { resume: { index: 2 } }));
    expect(records.map((r) => r.value)).to.deep.equal([4, 5]);
    expect(records.map((r) => r.position.seq)).to.deep.equal([0, 1]);
  });

  it('malformed JSON: the elements before it flow, then an error naming file and line', async () => {
    const path = tmp.file('broken.json', '[\n  {"id": 1},\n  {"id": 2},\n  {"id": 3 "name": "x"},\n  {"id": 4}\n]\n');
    const { records, error } = await drain(jsonFile(path));
    expect(records.map((r) => r.value)).to.deep.equal([{ id: 1 }, { id: 2 }]);
    expect(error).to.be.instanceOf(DecodeError);
    expect(error?.message).to.match(new RegExp(`^${path}:4: malformed JSON: Parser cannot parse input`));
  });

  it('a truncated file is an error naming file and its last line', async () => {
    const path = tmp.file('truncated.json', '[\n{"id": 1},\n{"id": 2');
    const { records, error } = await drain(jsonFile(path));
    expect(records).to.have.length(1);
    expect(error?.message).to.match(new RegExp(`^${path}:3: malformed JSON`));
  });

  it('no array where expected is an error naming the file and the path', async () => {
    const object = tmp.file('object.json', '{"data": {"id": 1}}');
    expect((await drain(jsonFile(object))).error?.message).to.equal(`${object}: top level: expected an array`);
    expect((await drain(jsonFile(object, { itemsPath: 'data' }))).error?.message).to.equal(
      `${object}: itemsPath "data": expected an array`,
    );
    expect((await drain(jsonFile(object, { itemsPath: 'rows' }))).error?.message).to.equal(
      `${object}: itemsPath "rows": expected an array, found nothing there`,
    );
  });

  it('an empty array yields nothing', async () => {
    expect(await collect(jsonFile(tmp.file('empty.json', '{"items": []}'), { itemsPath: 'items' }))).to.deep.equal([]);
  });

  it('yields elements before the file is complete (streaming, not read whole)', async () => {
    const fifo = tmp.fifo('growing.json');
    const it = jsonFile(fifo.path, { itemsPath: 'data' })[Symbol.asyncIterator]();
    const writer = fifo.open();
    writer.write('{"data": [{"id": 1}, {"id": 2}, ');
    expect((await it.next()).value).to.deep.include({ value: { id: 1 } });
    expect((await it.next()).value).to.deep.include({ value: { id: 2 } });
    writer.end('{"id": 3}]}');
    expect((await it.next()).value).to.deep.include({ value: { id: 3 } });
    expect((await it.next()).done).to.equal(true);
  });

  it('streams a large array', async () => {
    const items = Array.from({ length: 10_000 }, (_, i) => ({ id: i, name: `n${i}` }));
    const path = tmp.file('large.json', JSON.stringify(items));
    let count = 0;
    let last: SourceRecord | undefined;
    for await (const record of jsonFile(path)) {
      count += 1;
      last = record;
    }
    expect(count).to.equal(10_000);
    expect(last?.value).to.deep.equal({ id: 9_999, name: 'n9999' });
  });

  it('a missing file is an error naming it', async () => {
    const path = join(tmp.dir, 'missing.json');
    expect((await drain(jsonFile(path))).error?.message).to.contain(path);
  });
});
