import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { pino } from 'pino';
import { loadConfig } from '../../src/config/config.js';
import { ConfigError } from '../../src/errors/config-error.js';
import * as root from '../../src/index.js';
import { publishConfig } from '../../src/run/publish.js';
import { queueArguments } from '../../src/sources/amqp-topology.js';
import { generateCustomers } from '../../src/testing/index.js';
import { usePublishWorkspace, writeNdjson } from '../helpers/rabbit-workers.js';

describe('run/publishConfig (RabbitMQ on 127.0.0.1:5672)', function () {
  this.timeout(20_000);
  const logger = pino({ level: 'silent' });
  const t = usePublishWorkspace();
  const load = async (file: string) => (await loadConfig(file)).config;
  /** Rewrites the config file's JSON with `change`. */
  const edit = (file: string, change: (raw: Record<string, unknown>) => void) => {
    const raw = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    change(raw);
    writeFileSync(file, JSON.stringify(raw));
  };

  it('publishes every record as a persistent application/json message, confirmed; declares Q and Q.dead', async () => {
    const customers = generateCustomers(500);
    const result = await publishConfig(await load(t.configFor(writeNdjson(t.work.dir, 'c.ndjson', customers))), logger);
    expect(result).to.include({ queue: t.queue, confirmed: 500, rejected: 0, unconfirmed: 0 });
    expect(result.deadLetterPath).to.equal(undefined);
    const messages = await t.admin.drain(t.queue);
    expect(messages.map((m) => JSON.parse(m.content.toString()) as unknown)).to.deep.equal(customers);
    expect(messages.every((m) => m.properties.deliveryMode === 2 && m.properties.contentType === 'application/json')).to.equal(true);
    expect(messages[0]!.properties.headers?.['x-oro-sync-where']).to.match(/c\.ndjson:1$/);
    // Declared as the contract says: re-declaring with the same arguments is accepted.
    await t.admin.channel.assertQueue(t.queue, { durable: true, arguments: queueArguments(t.queue) });
    expect((await t.admin.channel.checkQueue(`${t.queue}.dead`)).messageCount).to.equal(0);
  });

  it('malformed input lines are dead letters (counted as rejected, the file named); the other records are published', async () => {
    const path = writeNdjson(t.work.dir, 'bad.ndjson', [{ id: 'a' }]);
    appendFileSync(path, '{"id": oops\n{"id":"b"}\n');
    const config = await load(t.configFor(path));
    const result = await publishConfig(config, logger);
    expect(result).to.include({ confirmed: 2, rejected: 1, unconfirmed: 0, deadLetterPath: config.deadLetter.path });
    expect((await t.admin.drain(t.queue)).map((m) => m.content.toString())).to.deep.equal(['{"id":"a"}', '{"id":"b"}']);
    const letters = readFileSync(join(t.work.dir, 'publisher', 'dead-letters.ndjson'), 'utf8').trim().split('\n');
    expect(letters).to.have.length(1);
    expect(JSON.parse(letters[0]!)).to.include({ status: 'rejected', where: `${path}:2` });
  });

  it('an unreachable broker rejects naming the URL without its password', async () => {
    const file = t.configFor(writeNdjson(t.work.dir, 'c.ndjson', [{ id: 'a' }]));
    edit(file, (raw) => ((raw['publish'] as { url: string }).url = 'amqp://guest:hunter2@127.0.0.1:1'));
    const error = await publishConfig(await load(file), logger, { retry: { retries: 0 } }).then(() => undefined, (e: unknown) => e as Error);
    expect(error?.message).to.match(/^RabbitMQ at amqp:\/\/guest:\*\*\*@127\.0\.0\.1:1 unreachable after 1 attempt\(s\)/);
    expect(error?.message).to.not.contain('hunter2');
  });

  it('a config without `publish`, or with an amqp source, is a config error naming the path and the file given', async () => {
    const file = t.configFor(writeNdjson(t.work.dir, 'c.ndjson', [{ id: 'a' }]));
    const config = await load(file);
    edit(file, (raw) => delete raw['publish']);
    const missing = await publishConfig(await load(file), logger, { file }).then(() => undefined, (e: unknown) => e);
    expect(missing).to.be.instanceOf(ConfigError);
    expect((missing as ConfigError).message).to.contain(`${file}: invalid config`).and.to.contain('publish: expected {"url"');
    const amqp = { ...config, source: { kind: 'amqp', url: 'amqp://127.0.0.1', queue: t.queue, prefetch: 100, idleExitSeconds: 1 } } as typeof config;
    const consumed = await publishConfig(amqp, logger).then(() => undefined, (e: unknown) => e as Error);
    expect(consumed?.message).to.contain('source.kind: expected a source to read records from').and.to.contain('got "amqp"');
  });
});

describe('publishConfig from the package root', () => {
  it('is exported for code use, the same function the CLI runs', () => {
    expect(root.publishConfig).to.equal(publishConfig);
  });
});
