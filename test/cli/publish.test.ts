import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { expect } from 'chai';
import { publishCommand } from '../../src/cli/commands/publish.js';
import { createLogger } from '../../src/cli/logger.js';
import { generateCustomers } from '../../src/testing/index.js';
import { usePublishWorkspace, writeConfig, writeNdjson } from '../helpers/rabbit-workers.js';

describe('oro-sync publish (RabbitMQ on 127.0.0.1:5672)', function () {
  this.timeout(20_000);
  const logger = createLogger({ level: 'silent' });
  const t = usePublishWorkspace();
  let printed: string[];
  const print = (line: string) => void printed.push(line);
  beforeEach(() => (printed = []));

  it('prints one summary line and exits 0 when every record is confirmed', async () => {
    const code = await publishCommand(t.configFor(writeNdjson(t.work.dir, 'c.ndjson', generateCustomers(500))), logger, print);
    expect(code).to.equal(0);
    expect(printed).to.have.length(1);
    expect(printed.join('\n')).to.match(new RegExp(`^published: confirmed 500, rejected 0, unconfirmed 0 to queue "${t.queue}" in \\d+\\.\\d s \\(\\d+(\\.\\d)? records/s\\)$`));
    expect(await t.admin.drain(t.queue)).to.have.length(500);
  });

  it('malformed input lines: exit 1, the dead-letter file named on a second line', async () => {
    const path = writeNdjson(t.work.dir, 'bad.ndjson', [{ id: 'a' }]);
    appendFileSync(path, '{"id": oops\n{"id":"b"}\n');
    const config = t.configFor(path);
    const code = await publishCommand(config, logger, print);
    expect(code).to.equal(1);
    expect(printed[0]).to.match(new RegExp(`^published: confirmed 2, rejected 1, unconfirmed 0 to queue "${t.queue}"`));
    expect(printed[1]).to.match(/^dead letters: .*publisher\/dead-letters\.ndjson$/);
    expect((await t.admin.drain(t.queue)).map((m) => m.content.toString())).to.deep.equal(['{"id":"a"}', '{"id":"b"}']);
  });

  it('an unreachable broker is a systemic error naming the URL without its password (exit 2)', async () => {
    const config = writeConfig(t.work.dir, { oro: t.oro, queue: t.queue, name: 'publisher', source: { kind: 'ndjson', path: writeNdjson(t.work.dir, 'c.ndjson', [{ id: 'a' }]) } });
    const raw = JSON.parse(readFileSync(config, 'utf8')) as { publish: { url: string } };
    raw.publish.url = 'amqp://guest:hunter2@127.0.0.1:1';
    writeFileSync(config, JSON.stringify(raw));
    const error = await publishCommand(config, logger, print, { retry: { retries: 0 } }).then(() => undefined, (e: unknown) => e as Error);
    expect(error?.message).to.match(/^RabbitMQ at amqp:\/\/guest:\*\*\*@127\.0\.0\.1:1 unreachable after 1 attempt\(s\)/);
    expect(error?.message).to.not.contain('hunter2');
  });

  it('a config without `publish` is a config error naming the missing section and the file', async () => {
    const config = t.configFor(writeNdjson(t.work.dir, 'c.ndjson', [{ id: 'a' }]));
    const raw = JSON.parse(readFileSync(config, 'utf8')) as Record<string, unknown>;
    delete raw['publish'];
    writeFileSync(config, JSON.stringify(raw));
    const error = await publishCommand(config, logger, print).then(() => undefined, (e: unknown) => e as Error);
    expect(error?.message).to.contain('publish: expected {"url"').and.to.contain(config);
  });
});
