/**
 * Preflight through the CLI: `run` refuses, with exit 2 and the line `check` prints, before it
 * writes anything, what `check` refuses; a CSV header without a mapped column is exit 2 naming
 * it; the first 100 records all rejected for one reason stop the run instead of dead-lettering
 * the whole source.
 */
import { existsSync } from 'node:fs';
import { expect } from 'chai';
import type { FakeOro } from '../../src/testing/index.js';
import { runCli, useFakeOroWorkspace, type FakeOroWorkspace } from '../helpers/cli.js';

/** What a run sent that could change Oro (the preflight's OPTIONS and GETs cannot). */
const writes = (oro: FakeOro) => oro.requests.filter((r) => r.path.startsWith('/admin/api') && ['POST', 'PATCH', 'DELETE'].includes(r.method));

/** `check` and `run --once` of one config: run exits 2 with the `not usable:` line check prints, having written nothing. */
async function refusedAsCheckRefuses(t: FakeOroWorkspace, config: string): Promise<string> {
  const check = await runCli(['check', config], { env: t.env });
  expect(check.code, check.stdout + check.stderr).to.equal(2);
  const line = check.stdout.split('\n').find((l) => l.startsWith('not usable: '));
  expect(line, check.stdout).to.be.a('string');
  t.oro.resetLog();
  const run = await runCli(['run', '--once', config], { env: t.env });
  expect(run.code, run.stderr).to.equal(2);
  expect(run.stderr).to.include(line);
  expect(run.stdout).to.not.match(/^done: /m);
  expect(writes(t.oro)).to.deep.equal([]);
  expect(existsSync(t.ws.path('dead-letters.ndjson'))).to.equal(false);
  return line as string;
}

describe('e2e: run refuses what check refuses, before writing', function () {
  this.timeout(60_000);
  const t = useFakeOroWorkspace({ batchDisabled: ['customergroups'] }, ({ ws }) => {
    ws.writeNdjson('source.ndjson', Array.from({ length: 5 }, (_, i) => ({ id: `K${i}`, name: `Name ${i}` })));
  });

  it('an unknown target.type (a typo)', async () => {
    const line = await refusedAsCheckRefuses(t, t.ws.config('customers', t.oro, { target: { type: 'customerz' } }));
    expect(line).to.match(/^not usable: target\.type: Oro at .* has no type "customerz"/);
  });

  it('the Batch API off for target.mode "batch"', async () => {
    const config = t.ws.config('groups', t.oro, {
      target: { type: 'customergroups', mode: 'batch', key: { source: 'id', oro: 'name' }, attributes: { name: 'name' }, relationships: {} },
    });
    const line = await refusedAsCheckRefuses(t, config);
    expect(line).to.match(/^not usable: target\.mode is "batch" but the Batch API is disabled for customergroups/);
  });

  it('upsert on a type Oro allows none for', async () => {
    const line = await refusedAsCheckRefuses(t, t.ws.config('customers', t.oro, { target: { strategy: 'upsert', mode: 'batch' } }));
    expect(line).to.match(/^not usable: target\.strategy: Oro does not allow upsert for customers/);
  });

  it('a CSV header without a column the mapping reads: exit 2 naming the column and the header', async () => {
    const { oro, ws, env } = t;
    ws.write('customers.csv', 'id,title\nK1,Alpha\nK2,Beta\n');
    const config = ws.config('customers', oro, { source: { kind: 'csv', path: 'customers.csv' }, target: { relationships: {} } });
    const check = await runCli(['check', config], { env });
    expect(check.code).to.equal(2);
    const line = 'not usable: source.path customers.csv: the header has no column "name" (target.attributes.name reads it); the header is: id,title';
    expect(check.stdout.split('\n')).to.include(line);
    oro.resetLog();
    const run = await runCli(['run', '--once', config], { env });
    expect(run.code, run.stderr).to.equal(2);
    expect(run.stderr).to.include(line);
    expect(writes(oro)).to.deep.equal([]);
    expect(ws.deadLetters()).to.deep.equal([]);
  });
});

describe('e2e: run refuses what check refuses, before writing (an Oro without externalId)', function () {
  this.timeout(60_000);
  const t = useFakeOroWorkspace({ version: '6.0' }, ({ ws }) => {
    ws.writeNdjson('source.ndjson', [{ id: 'K1', name: 'One' }]);
  });

  it('a key field this Oro cannot filter on', async () => {
    const line = await refusedAsCheckRefuses(t, t.ws.config('customers', t.oro, { target: { relationships: {}, attributes: { name: 'name' } } }));
    expect(line).to.match(/^not usable: target\.key\.oro: this Oro has no filterable "externalId" on customers/);
  });
});

describe('e2e: the first 100 records all rejected for one reason', function () {
  this.timeout(90_000);
  const t = useFakeOroWorkspace();

  it('stop the run with exit 2 saying why, instead of dead-lettering the whole source; the next run stops again without new dead letters', async () => {
    const { oro, ws, env } = t;
    // A mapping that sends no name: Oro refuses every customer ("not blank constraint" at /data/attributes/name).
    ws.writeNdjson('source.ndjson', Array.from({ length: 1000 }, (_, i) => ({ id: `K${i}`, title: `Name ${i}` })));
    const config = ws.config('customers', oro, {
      target: { relationships: {} },
      pipeline: { batchSize: 10, batchMs: 5, concurrency: 2, retries: 0, retryBaseMs: 1, retryMaxMs: 5, requestTimeoutMs: 5000 },
    });
    const first = await runCli(['run', '--once', config], { env });
    expect(first.code, first.stderr).to.equal(2);
    expect(first.stderr).to.match(/stopped: the first 100 records of this run were all rejected for the same reason \("not blank constraint" at \/data\/attributes\/name: /);
    expect(first.stdout).to.not.match(/^done: /m);
    const letters = ws.deadLetters().length;
    expect(letters).to.be.within(100, 200);
    expect(oro.records('customers')).to.deep.equal([]);

    const second = await runCli(['run', '--once', config], { env });
    expect(second.code, second.stderr).to.equal(2);
    expect(second.stderr).to.include('stopped: the first 100 records of this run were all rejected for the same reason');
    expect(ws.deadLetters()).to.have.length(letters);
  });
});
