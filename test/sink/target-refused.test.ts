import { expect } from 'chai';
import { from, lastValueFrom, toArray } from 'rxjs';
import { batchRecords } from '../../src/operators/batch.js';
import { mapRecords } from '../../src/operators/map.js';
import { toOro } from '../../src/sink/to-oro.js';
import { startHarness, type OroHarness } from '../helpers/oro-harness.js';
import { ConfigError } from '../../src/errors/config-error.js';
import { HttpError } from '../../src/errors/http-error.js';
import { refusalIn, targetRefusal } from '../../src/sink/target-refused.js';
import type { SinkTarget } from '../../src/sink/options.js';

const target: SinkTarget = { type: 'customers', mode: 'single', strategy: 'lookup', key: { oro: 'externalId' }, conflict: 'source-wins' };
const url = 'https://shop.example.com/admin/api/customers';

describe('sink/targetRefusal: answers that condemn the target, not a record', () => {
  it('a 405 to the collection PATCH: the Batch API is off', () => {
    const refusal = targetRefusal({ ...target, mode: 'batch' }, new HttpError('PATCH', url, 405, []));
    expect(refusal).to.be.instanceOf(ConfigError);
    expect(refusal?.message).to.contain('target.mode: "batch"').and.contain('use "single"');
  });

  it('a 405 to anything else is not about the Batch API', () => {
    expect(targetRefusal(target, new HttpError('POST', url, 405, []))).to.equal(undefined);
  });

  it('"The upsert operation is not allowed." at /meta/upsert (single) or /data/N/meta/upsert (batch)', () => {
    for (const pointer of ['/meta/upsert', '/data/3/meta/upsert']) {
      const error = new HttpError('POST', url, 400, [{ status: '400', title: 'value constraint', detail: 'The upsert operation is not allowed.', pointer }]);
      const refusal = targetRefusal({ ...target, strategy: 'upsert' }, error);
      expect(refusal?.message, pointer).to.contain('target.strategy: Oro does not allow upsert for customers').and.contain(`at ${pointer}`).and.contain('use "lookup"');
    }
  });

  it('filter[externalId] refused as a filter constraint: the key field is missing on Oro before 6.1.10 / 7.0.2', () => {
    const error = new HttpError('GET', `${url}?filter%5BexternalId%5D=a`, 400, [
      { status: '400', title: 'filter constraint', detail: 'The filter is not supported.', parameter: 'filter[externalId]' },
    ]);
    const message = targetRefusal(target, error)?.message ?? '';
    expect(message).to.contain('target.key.oro: this Oro has no filterable "externalId" on customers');
    expect(message).to.contain('from Oro 6.1.10 and 7.0.2').and.contain('add a custom field with an API filter').and.contain('at filter[externalId]');
  });

  it('an externalId attribute refused as an extra fields constraint: the same advice', () => {
    const errors = [{ status: 400, title: 'extra fields constraint', detail: 'This entity does not have "externalId" field.', pointer: '/data/0/attributes/externalId' }];
    expect(refusalIn(target, errors)?.message).to.contain('no filterable "externalId" on customers').and.contain('at /data/0/attributes/externalId');
  });

  it('record-level errors are not a refusal of the target', () => {
    const errors = [
      { status: '400', title: 'not blank constraint', detail: 'This value should not be blank.', pointer: '/data/attributes/name' },
      { status: '400', title: 'extra fields constraint', detail: 'no "nickname" field', pointer: '/data/attributes/nickname' },
    ];
    expect(refusalIn(target, errors)).to.equal(undefined);
    expect(targetRefusal(target, new HttpError('POST', url, 400, errors))).to.equal(undefined);
    expect(targetRefusal(target, new Error('boom'))).to.equal(undefined);
  });

  it('a key of "id" never counts as missing', () => {
    expect(refusalIn({ ...target, key: { oro: 'id' } }, [{ title: 'filter constraint', parameter: 'filter[id]' }])).to.equal(undefined);
  });
});

describe('sink/toOro: a target Oro refuses stops the run instead of rejecting every record', function () {
  let h: OroHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  const run = (harness: OroHarness, mode: SinkTarget['mode']) =>
    lastValueFrom(
      from(Array.from({ length: 5 }, (_, i) => ({ value: { id: `C${i}`, name: `Customer ${i}` }, position: { seq: i, where: `#${i}` } }))).pipe(
        mapRecords({ type: 'customers', key: { source: 'id', oro: 'externalId' }, attributes: { name: 'name', externalId: 'id' } }),
        batchRecords({ size: 5, ms: 5 }),
        toOro({ client: harness.client, target: { ...target, mode, strategy: 'upsert' }, poll: { intervalMs: 2, maxIntervalMs: 10, timeoutMs: 10_000 } }),
        toArray(),
      ),
    );

  for (const mode of ['single', 'batch-sync', 'batch'] as const) {
    it(`${mode}: upsert on customers ends in a ConfigError naming target.strategy, and nothing is written`, async () => {
      h = await startHarness({ seed: 11 });
      const error = await run(h, mode).then(() => undefined, (e: unknown) => e);
      expect(error).to.be.instanceOf(ConfigError);
      expect((error as Error).message).to.contain('target.strategy: Oro does not allow upsert for customers');
      expect(h.oro.records('customers')).to.have.length(0);
    });
  }
});
