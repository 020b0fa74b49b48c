import { expect } from 'chai';
import { buildQuery, withQuery } from '../../src/oro/query.js';

const decoded = (q: string): [string, string][] => [...new URLSearchParams(q).entries()];

describe('oro/buildQuery', () => {
  it('is empty for no query', () => {
    expect(buildQuery()).to.equal('');
    expect(withQuery('https://x/api/customers', '')).to.equal('https://x/api/customers');
  });

  it('builds filters: eq, OR lists and operators', () => {
    expect(decoded(buildQuery({ filter: { name: 'Acme & Co', externalId: ['a', 'b,c?'], updatedAt: { gte: '2024-01-01T00:00:00Z', lt: '2025-01-01T00:00:00Z' } } }))).to.deep.equal([
      ['filter[name]', 'Acme & Co'],
      ['filter[externalId]', 'a,b,c?'],
      ['filter[updatedAt][gte]', '2024-01-01T00:00:00Z'],
      ['filter[updatedAt][lt]', '2025-01-01T00:00:00Z'],
    ]);
  });

  it('percent-encodes names and values, keeping list commas literal', () => {
    expect(buildQuery({ filter: { externalId: ['a b', 'c&d'] } })).to.equal('filter%5BexternalId%5D=a%20b,c%26d');
  });

  it('builds paging, sort, sparse fields and include', () => {
    expect(decoded(buildQuery({ page: { number: 3, size: 100 }, sort: '-updatedAt,id', fields: { customers: ['name', 'updatedAt'] }, include: ['owner', 'organization'] }))).to.deep.equal([
      ['page[number]', '3'],
      ['page[size]', '100'],
      ['sort', '-updatedAt,id'],
      ['fields[customers]', 'name,updatedAt'],
      ['include', 'owner,organization'],
    ]);
  });

  it('appends to a URL that already has a query', () => {
    expect(withQuery('https://x/a?b=1', 'c=2')).to.equal('https://x/a?b=1&c=2');
    expect(withQuery('https://x/a', 'c=2')).to.equal('https://x/a?c=2');
  });
});
