import { expect } from 'chai';
import { exportRecords, main } from '../../examples/custom-pipeline/pipeline.js';

describe('examples/custom-pipeline', function () {
  this.timeout(20_000);

  it('pulls every page of the export through decode, map, batch and the sink into Oro', async () => {
    const lines: string[] = [];
    const result = await main({ records: 120, print: (line) => lines.push(line) });

    // 121 records in the export: one without a customer number (decoder), one with no name (Oro).
    expect(exportRecords(120)).to.have.length(121);
    expect(result.counts).to.deep.equal({ created: 119, rejected: 2 });
    const expected = Array.from({ length: 120 }, (_, i) => i + 1)
      .filter((i) => i !== 7)
      .map((i) => [`K-${String(i).padStart(4, '0')}`, `Company ${i}`]);
    expect(result.customers.map((c) => [c.attributes?.['externalId'], c.attributes?.['name']])).to.have.deep.members(expected);
    expect(result.customers).to.have.length(expected.length);

    const rejections = lines.filter((l) => l.startsWith('rejected')).sort();
    expect(rejections).to.have.length(2);
    expect(rejections[0]).to.equal('rejected page 1 #10: invalid record at /customer_no: customer_no: expected non-empty string, got undefined');
    // The index is K-0007's place in the batch request it was sent in.
    expect(rejections[1]).to.match(/^rejected page 1 #6: not blank constraint at \/data\/\d+\/attributes\/name: This value should not be blank\.$/);
    expect(lines.at(-1)).to.match(/^done: /);
  });
});
