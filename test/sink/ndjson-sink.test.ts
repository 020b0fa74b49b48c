import { expect } from 'chai';
import { mkdir, mkdtemp, open, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sinon from 'sinon';
import { ndjsonSink } from '../../src/sink/ndjson-sink.js';
import type { Delivery } from '../../src/types/delivery.js';

const delivery = (id: string): Delivery => {
  const content = { data: { type: 'orders', id } };
  return { record: { value: content, position: { seq: 0, where: `#${id}` } }, key: `orders/${id}`, content, text: JSON.stringify(content), digest: id };
};

describe('sink/ndjsonSink', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'oro-sync-ndjson-sink-'));
  });
  afterEach(async () => {
    sinon.restore();
    await rm(dir, { recursive: true, force: true });
  });

  it('appends one line per record, run after run, to a file only its owner can read', async () => {
    const path = join(dir, 'out', 'orders.ndjson');
    const first = ndjsonSink({ path });
    expect(await first.deliver([delivery('1'), delivery('2')])).to.deep.equal([{ status: 'sent' }, { status: 'sent' }]);
    await first.close();
    const second = ndjsonSink({ path });
    await second.deliver([delivery('3')]);
    await second.close();
    expect((await readFile(path, 'utf8')).split('\n')).to.deep.equal([
      '{"data":{"type":"orders","id":"1"}}', '{"data":{"type":"orders","id":"2"}}', '{"data":{"type":"orders","id":"3"}}', '',
    ]);
    expect((await stat(path)).mode & 0o777).to.equal(0o600);
  });

  it('creates no file when nothing is delivered', async () => {
    const path = join(dir, 'orders.ndjson');
    const sink = ndjsonSink({ path });
    await sink.deliver([]);
    await sink.close();
    let missing = false;
    await stat(path).catch(() => (missing = true));
    expect(missing).to.equal(true);
  });

  it('counts records as sent only once their lines are flushed to disk (fsync)', async () => {
    const probe = await open(join(dir, 'probe'), 'w');
    const proto = Object.getPrototypeOf(probe) as { sync(): Promise<void> };
    await probe.close();
    const realSync = proto.sync;
    let flush!: () => void;
    const synced = sinon.stub(proto, 'sync').callsFake(function (this: unknown) {
      return new Promise<void>((resolve) => (flush = resolve)).then(() => realSync.call(this));
    });
    const sink = ndjsonSink({ path: join(dir, 'orders.ndjson') });
    let sent = false;
    const delivered = sink.deliver([delivery('1')]).then(() => (sent = true));
    while (synced.callCount === 0) await new Promise<void>((resolve) => setImmediate(resolve));
    for (let i = 0; i < 20; i++) await new Promise<void>((resolve) => setImmediate(resolve));
    expect(sent).to.equal(false);
    flush();
    await delivered;
    expect(sent).to.equal(true);
    await sink.close();
  });

  it('cuts off a line a crash left without its line break before appending, and says so', async () => {
    const path = join(dir, 'orders.ndjson');
    await writeFile(path, '{"data":{"type":"orders","id":"1"}}\n{"data":{"type":"ord');
    const torn: number[] = [];
    const sink = ndjsonSink({ path, onTornLine: (bytes) => torn.push(bytes) });
    await sink.deliver([delivery('2')]);
    await sink.close();
    expect(await readFile(path, 'utf8')).to.equal('{"data":{"type":"orders","id":"1"}}\n{"data":{"type":"orders","id":"2"}}\n');
    expect(torn).to.deep.equal(['{"data":{"type":"ord'.length]);
  });

  it('finds the last line break beyond one read of the file\'s end', async () => {
    const path = join(dir, 'orders.ndjson');
    await writeFile(path, `{"a":1}\n${'x'.repeat(200_000)}`);
    const sink = ndjsonSink({ path });
    await sink.deliver([delivery('2')]);
    await sink.close();
    expect(await readFile(path, 'utf8')).to.equal('{"a":1}\n{"data":{"type":"orders","id":"2"}}\n');
  });

  it('rejects, naming the file, when it cannot be written: the run stops', async () => {
    const path = join(dir, 'a-folder');
    await mkdir(path);
    const sink = ndjsonSink({ path });
    let error: unknown;
    await sink.deliver([delivery('1')]).catch((e: unknown) => (error = e));
    expect(String(error)).to.match(new RegExp(`sink.path ${path}: cannot append \\(EISDIR`));
    await sink.close();
  });
});
