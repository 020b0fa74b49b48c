/**
 * A CSV whose header lacks a column the mapping reads is refused before the run sends anything:
 * the mapping would leave that attribute out of every record.
 */
import { expect } from 'chai';
import type { Config } from '../../src/config/config-types.js';
import { columnsRead, csvHeaderProblems } from '../../src/run/csv-header.js';
import { workspace, type Workspace } from '../helpers/cli.js';

describe('run/csvHeaderProblems', () => {
  let ws: Workspace;
  beforeEach(() => void (ws = workspace()));
  afterEach(() => ws.cleanup());

  const configFor = (path: string, extra: Partial<Config['target']> = {}, watermark?: string): Config => ({
    name: 'customers',
    source: { kind: 'csv', path, changes: 'auto', delimiter: ';', quote: '"' },
    target: {
      type: 'customers', mode: 'single', strategy: 'lookup', conflict: 'source-wins',
      key: { source: 'id', oro: 'externalId' },
      attributes: { name: 'name', externalId: 'id' },
      relationships: { group: { type: 'customergroups', source: 'group.id' } },
      ...extra,
    },
    schedule: { intervalSeconds: 60, ...(watermark ? { watermark } : {}) },
  }) as unknown as Config;

  it('reads the key, attributes, relationships and watermark columns (a dot path by its first segment)', () => {
    expect(columnsRead(configFor('x.csv', {}, 'changed'))).to.deep.equal([
      { column: 'id', setting: 'target.key.source' },
      { column: 'name', setting: 'target.attributes.name' },
      { column: 'id', setting: 'target.attributes.externalId' },
      { column: 'group', setting: 'target.relationships.group.source' },
      { column: 'changed', setting: 'schedule.watermark' },
    ]);
  });

  it('names each missing column once, the setting that reads it, and the header as it is', async () => {
    const path = ws.write('customers.csv', 'id;title;group\nC1;Acme;G1\n');
    expect(await csvHeaderProblems(configFor(path, {}, 'changed'))).to.deep.equal([
      'source.path customers.csv: the header has no column "name" (target.attributes.name reads it); the header is: id;title;group',
      'source.path customers.csv: the header has no column "changed" (schedule.watermark reads it); the header is: id;title;group',
    ]);
  });

  it('with a transform, only the key and the watermark: the transform replaces the declarative mapping', () => {
    expect(columnsRead(configFor('x.csv', { transform: '/srv/transform.mjs' }, 'changed')).map((c) => c.column)).to.deep.equal(['id', 'changed']);
  });

  it('a constant reads no column; a product\'s name and unit precisions read theirs', () => {
    const config = configFor('x.csv', {
      attributes: { sku: 'sku', status: { value: 'enabled' } },
      relationships: { attributeFamily: { type: 'attributefamilies', id: '1' } },
      names: { default: 'title' },
      unitPrecisions: [{ unit: 'unit', precision: 'digits', sell: { value: true } }],
    });
    expect(columnsRead(config).map((c) => c.column)).to.deep.equal(['id', 'sku', 'title', 'unit', 'digits']);
  });

  it('no problem for a header with every column (quoted, with a BOM), an empty file, or another source kind', async () => {
    expect(await csvHeaderProblems(configFor(ws.write('a.csv', '\uFEFF"id";"name";"group"\n')))).to.deep.equal([]);
    expect(await csvHeaderProblems(configFor(ws.write('b.csv', '')))).to.deep.equal([]);
    const ndjson = { ...configFor('x'), source: { kind: 'ndjson', path: 'x', changes: 'auto' } } as unknown as Config;
    expect(await csvHeaderProblems(ndjson)).to.deep.equal([]);
  });
});
