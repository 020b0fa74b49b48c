import { expect } from 'chai';
import { dryRunSample } from '../../src/run/dry-run-sample.js';
import type { Outcome } from '../../src/types/outcome.js';

const record = (n: number) => ({ value: { id: `C-${n}` }, position: { seq: n, where: `c.ndjson:${n + 1}` } });
const document = (n: number) => ({ data: { type: 'customers', attributes: { name: `N${n}` } } });
const created = (n: number): Outcome => ({ status: 'created', record: record(n), dryRun: true, document: document(n) });
const updated = (n: number): Outcome => ({ status: 'updated', id: String(n), record: record(n), dryRun: true, document: document(n) });
const rejected = (n: number): Outcome => ({ status: 'rejected', record: record(n), errors: [{ title: 'not blank constraint' }] });

describe('run/dryRunSample', () => {
  it('prints the first `sample` documents as JSON lines (create or update), then how many were shown of how many', () => {
    const lines: string[] = [];
    const sample = dryRunSample((line) => lines.push(line), 2);
    [created(0), updated(1), created(2)].forEach((outcome) => sample.see(outcome));
    sample.end();
    expect(lines.map((line) => (line.startsWith('{') ? (JSON.parse(line) as { action: string; where: string }) : line))).to.deep.equal([
      { action: 'create', where: 'c.ndjson:1', document: document(0) },
      { action: 'update', where: 'c.ndjson:2', document: document(1) },
      '(showing 2 of 3 documents)',
    ]);
  });

  it('prints no closing line when every document was shown; rejected records (no document) are not counted as hidden', () => {
    const lines: string[] = [];
    const sample = dryRunSample((line) => lines.push(line), 2);
    [created(0), rejected(1), rejected(2), created(3)].forEach((outcome) => sample.see(outcome));
    sample.end();
    expect(lines).to.have.length(2);
    expect(lines.every((line) => line.startsWith('{"action":"create"'))).to.equal(true);
  });

  it('shows 20 documents unless told otherwise, and prints nothing without a printer', () => {
    const lines: string[] = [];
    const sample = dryRunSample((line) => lines.push(line));
    for (let n = 0; n < 25; n++) sample.see(created(n));
    sample.end();
    expect(lines).to.have.length(21);
    expect(lines[20]).to.equal('(showing 20 of 25 documents)');
    const silent = dryRunSample(undefined);
    silent.see(created(0));
    expect(() => silent.end()).to.not.throw();
  });
});
