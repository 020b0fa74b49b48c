import { expect } from 'chai';
import type { OroClient } from '../../src/oro/types.js';
import { buildBatch, type BatchItem } from '../../src/sink/batch-document.js';
import { createSinkContext } from '../../src/sink/context.js';
import type { Decision } from '../../src/sink/decide.js';
import type { SinkTarget } from '../../src/sink/options.js';
import type { ResourceObject } from '../../src/types/jsonapi.js';

const client = {} as OroClient;
const target = (strategy: SinkTarget['strategy']): SinkTarget => ({ type: 'customers', mode: 'batch-sync', strategy, key: { oro: 'externalId' }, conflict: 'source-wins' });

function item(index: number, resource: Omit<ResourceObject, 'type'> & { type?: string }, decision: Decision): BatchItem {
  const mapped = { resource: { type: 'customers', ...resource }, key: `C${index}` };
  return { pending: { index, record: { value: mapped, position: { seq: index, where: `#${index}` } }, mapped }, decision };
}

describe('sink/batch-document', () => {
  it('sends creates with a temporary id by position, the target type, and no id of their own', () => {
    const ctx = createSinkContext({ client, target: target('lookup') });
    const { document } = buildBatch(ctx, [
      item(0, { attributes: { name: 'A' } }, { action: 'create' }),
      item(1, { type: 'other', id: '77', attributes: { name: 'B' }, relationships: { group: { data: { type: 'customergroups', id: '1' } } } }, { action: 'create' }),
    ]);
    expect(document).to.deep.equal({
      data: [
        { type: 'customers', id: 'new-0', attributes: { name: 'A' } },
        { type: 'customers', id: 'new-1', attributes: { name: 'B' }, relationships: { group: { data: { type: 'customergroups', id: '1' } } } },
      ],
    });
  });

  it('marks updates with meta.update and leaves creates the mapping made upserts without a temporary id', () => {
    const ctx = createSinkContext({ client, target: target('lookup') });
    const { document } = buildBatch(ctx, [
      item(0, { attributes: { name: 'A' }, meta: { note: 1 } }, { action: 'update', id: '5' }),
      item(1, { attributes: { name: 'B' }, meta: { upsert: ['externalId'] } }, { action: 'create' }),
    ]);
    expect(document.data).to.deep.equal([
      { type: 'customers', id: '5', attributes: { name: 'A' }, meta: { note: 1, update: true } },
      { type: 'customers', attributes: { name: 'B' }, meta: { upsert: ['externalId'] } },
    ]);
  });

  it('sends creates of the upsert strategy as upserts by the key', () => {
    const ctx = createSinkContext({ client, target: target('upsert') });
    const { document } = buildBatch(ctx, [item(0, { attributes: { name: 'A' } }, { action: 'create' })]);
    expect(document.data).to.deep.equal([{ type: 'customers', attributes: { name: 'A' }, meta: { upsert: ['externalId'] } }]);
  });
});
