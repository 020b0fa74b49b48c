import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { publishCommand } from '../../src/cli/commands/publish.js';
import { createLogger } from '../../src/cli/logger.js';
import { queueArguments } from '../../src/sources/amqp-topology.js';
import { generateCustomers, startFakeOro, type FakeOro } from '../../src/testing/index.js';
import { openAdmin, uniqueQueue, type RabbitAdmin } from '../helpers/rabbit.js';
import { workDir, writeConfig, writeNdjson } from '../helpers/rabbit-workers.js';

describe('oro-sync publish (RabbitMQ on 127.0.0.1:5672)', function () {
  this.timeout(20_000);
  const logger = createLogger({ level: 'silent' });
  let admin: RabbitAdmin;
  let oro: FakeOro;
  let queue: string;
  let work: ReturnType<typeof workDir>;
  let printed: string[];
  const print = (line: string) => void printed.push(line);

  beforeEach(async () => {
    admin = await openAdmin();
    oro = await startFakeOro();
    queue = uniqueQueue('publish');
    work = workDir();
    printed = [];
    process.env['ORO_CLIENT_SECRET'] = oro.clientSecret;
  });
  afterEach(async () => {
    await admin.deleteTopology(queue);
    await admin.close();
    await oro.close();
    work.cleanup();
    delete process.env['ORO_CLIENT_SECRET'];
  });

  const configFor = (path: string, extra: Partial<Parameters<typeof writeConfig>[1]> = {}) =>
    writeConfig(work.dir, { oro, queue, name: 'publisher', source: { kind: 'ndjson', path }, ...extra });

  it('publishes every record as a persistent application/json message, confirmed; declares Q and Q.dead; exit 0', async () => {
    const customers = generateCustomers(500);
    const code = await publishCommand(configFor(writeNdjson(work.dir, 'c.ndjson', customers)), logger, print);
    expect(code).to.equal(0);
    expect(printed.join('\n')).to.match(new RegExp(`published: confirmed 500, rejected 0, unconfirmed 0 to queue "${queue}"`));
    const messages = await admin.drain(queue);
    expect(messages.map((m) => JSON.parse(m.content.toString()) as unknown)).to.deep.equal(customers);
    expect(messages.every((m) => m.properties.deliveryMode === 2 && m.properties.contentType === 'application/json')).to.equal(true);
    expect(messages[0]!.properties.headers?.['x-oro-sync-where']).to.match(/c\.ndjson:1$/);
    // Declared as the contract says: re-declaring with the same arguments is accepted.
    await admin.channel.assertQueue(queue, { durable: true, arguments: queueArguments(queue) });
    expect((await admin.channel.checkQueue(`${queue}.dead`)).messageCount).to.equal(0);
  });

  it('malformed input lines are dead letters (exit 1); the other records are published', async () => {
    const path = writeNdjson(work.dir, 'bad.ndjson', [{ id: 'a' }]);
    appendFileSync(path, '{"id": oops\n{"id":"b"}\n');
    const config = configFor(path);
    const code = await publishCommand(config, logger, print);
    expect(code).to.equal(1);
    expect((await admin.drain(queue)).map((m) => m.content.toString())).to.deep.equal(['{"id":"a"}', '{"id":"b"}']);
    const letters = readFileSync(join(work.dir, 'publisher', 'dead-letters.ndjson'), 'utf8').trim().split('\n');
    expect(letters).to.have.length(1);
    expect(JSON.parse(letters[0]!)).to.include({ status: 'rejected', where: `${path}:2` });
  });

  it('an unreachable broker is a systemic error naming the URL without its password (exit 2)', async () => {
    const config = writeConfig(work.dir, { oro, queue, name: 'publisher', source: { kind: 'ndjson', path: writeNdjson(work.dir, 'c.ndjson', [{ id: 'a' }]) } });
    const raw = JSON.parse(readFileSync(config, 'utf8')) as { publish: { url: string } };
    raw.publish.url = 'amqp://guest:hunter2@127.0.0.1:1';
    writeFileSync(config, JSON.stringify(raw));
    const error = await publishCommand(config, logger, print, { retry: { retries: 0 } }).then(() => undefined, (e: unknown) => e as Error);
    expect(error?.message).to.match(/^RabbitMQ at amqp:\/\/guest:\*\*\*@127\.0\.0\.1:1 unreachable after 1 attempt\(s\)/);
    expect(error?.message).to.not.contain('hunter2');
  });

  it('a config without `publish` is a config error naming the missing section', async () => {
    const config = configFor(writeNdjson(work.dir, 'c.ndjson', [{ id: 'a' }]));
    const raw = JSON.parse(readFileSync(config, 'utf8')) as Record<string, unknown>;
    delete raw['publish'];
    writeFileSync(config, JSON.stringify(raw));
    const error = await publishCommand(config, logger, print).then(() => undefined, (e: unknown) => e as Error);
    expect(error?.message).to.contain('publish: expected {"url"');
  });
});
