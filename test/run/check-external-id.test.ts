import { expect } from 'chai';
import type { Config } from '../../src/config/config-types.js';
import { HttpError } from '../../src/errors/http-error.js';
import type { ListPage, ListQuery, OroClient } from '../../src/oro/types.js';
import type { Json } from '../../src/types/jsonapi.js';
import { checkExternalId } from '../../src/run/check-external-id.js';
import { refusalIn } from '../../src/sink/target-refused.js';

const writeBack = (attributes: Record<string, string>, keyOro = 'identifier') =>
  ({ target: { type: 'orders', key: { source: 'orderNumber', oro: keyOro }, attributes } }) as unknown as Config;

const noFilter = new HttpError('GET', 'https://shop.example.com/admin/api/orders', 400, [
  { status: '400', title: 'filter constraint', detail: 'The filter is not supported.', parameter: 'filter[externalId]' },
]);

/** An Oro before 6.1.10 whose orders carry what `attributes` says (a custom field, maybe). */
function oldOro(attributes: Record<string, Json>): { client: OroClient; asked: ListQuery[] } {
  const asked: ListQuery[] = [];
  const list = (_type: string, query: ListQuery = {}): Promise<ListPage> => {
    asked.push(query);
    if (query.filter?.['externalId'] !== undefined) return Promise.reject(noFilter);
    return Promise.resolve({ data: [{ type: 'orders', id: '1', attributes }] });
  };
  return { client: { list } as unknown as OroClient, asked };
}

describe('run/checkExternalId: the ERP\'s number written back into a field this Oro has', () => {
  it('says nothing for a target that does not set externalId, or keys by it (the lookup probe tells)', async () => {
    const { client, asked } = oldOro({});
    expect(await checkExternalId(writeBack({ shippingStatus: 'status' }), client, () => undefined)).to.equal(undefined);
    expect(await checkExternalId(writeBack({ externalId: 'id' }, 'externalId'), client, () => undefined)).to.equal(undefined);
    expect(asked).to.deep.equal([]);
  });

  it('names the custom field an earlier integration added, when an order has one', async () => {
    const { client } = oldOro({ identifier: 'SO-1', external: false, erp_order_number: null, poNumber: 'P' });
    const problem = await checkExternalId(writeBack({ externalId: 'erpNumber' }), client, () => undefined);
    expect(problem).to.equal(
      'target.attributes.externalId: this Oro has no "externalId" on orders (Oro has it from 6.1.10 and 7.0.2 on): ' +
      'Oro said "filter constraint: The filter is not supported." at filter[externalId]; ' +
      'this Oro\'s orders have "erp_order_number": map the ERP\'s number there, and name it in target.attributes instead of externalId',
    );
  });

  it('tells a run that meets the refusal to stop, with the same advice, whatever record it was', () => {
    const refusal = refusalIn({ type: 'orders', strategy: 'update-only', key: { oro: 'identifier' } }, [
      { status: '400', title: 'extra fields constraint', detail: 'This field is not expected.', pointer: '/data/attributes/externalId' },
    ]);
    expect(refusal?.problems[0]).to.match(/^target\.attributes\.externalId: this Oro has no "externalId" on orders .* a custom field \(an extend field, e\.g\. erpNumber/);
  });
});
