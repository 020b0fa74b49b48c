/**
 * A record rejected before the sink (a malformed line, one that does not decode or map) is
 * remembered like the sink's rejections: the same record again is `rejectedBefore`, so its dead
 * letter is written once, not on every whole read of a snapshot.
 */
import { expect } from 'chai';
import { from, lastValueFrom, toArray } from 'rxjs';
import { createMemoryDigestStore, type DigestUpdate } from '../../src/sink/digest-store.js';
import { rememberUpstreamRejections, UNREADABLE_KEY } from '../../src/run/upstream-rejections.js';
import { rejected, type Outcome, type Step } from '../../src/types/outcome.js';

const malformed = (line: number, text: string): Outcome =>
  rejected({ value: text, position: { seq: line - 1, where: `customers.ndjson:${line}` } }, [{ title: 'malformed JSON', detail: `customers.ndjson:${line}: Unexpected token` }]);
const invalid = (seq: number, record: Record<string, unknown>): Outcome =>
  rejected({ value: record, position: { seq, where: `customers.ndjson:${seq + 1}` } }, [{ title: 'invalid record', detail: 'name: expected non-empty string', pointer: '/name' }]);
const good = (seq: number): Step<unknown> => ({ value: { id: `G${seq}` }, position: { seq, where: `customers.ndjson:${seq + 1}` } });

describe('run/rememberUpstreamRejections', () => {
  it('passes other steps untouched; the same rejection again is rejectedBefore (also at another line), a changed one is not', async () => {
    const digests = createMemoryDigestStore();
    const run = (steps: Step<unknown>[]) => lastValueFrom(from(steps).pipe(rememberUpstreamRejections(digests, 'id'), toArray()));
    const first = await run([good(0), malformed(2, '{"id": "C2", nam'), invalid(2, { id: 'C3', name: '' })]);
    expect(first).to.have.length(3);
    expect(first.filter((s) => 'status' in s && s.status === 'rejected').every((s) => (s as { rejectedBefore?: string }).rejectedBefore === undefined)).to.equal(true);

    const second = await run([malformed(7, '{"id": "C2", nam'), invalid(1, { id: 'C3', name: '' }), invalid(4, { id: 'C4', name: '' }), good(5)]);
    const before = new Map<string, unknown>(second.map((s) => ('status' in s ? [s.record.position.where, (s as { rejectedBefore?: string }).rejectedBefore !== undefined] : [s.position.where, 'good'])));
    expect(before).to.deep.equal(new Map<string, unknown>([
      ['customers.ndjson:7', true],
      ['customers.ndjson:2', true],
      ['customers.ndjson:5', false],
      ['customers.ndjson:6', 'good'],
    ]));
    const changed = await run([invalid(1, { id: 'C3', name: ' ' })]);
    expect((changed[0] as { rejectedBefore?: string }).rejectedBefore).to.equal(undefined);
  });

  it('remembers a keyed record under its key, an unreadable one under its content\'s hash', async () => {
    const memory = createMemoryDigestStore();
    const puts: string[] = [];
    const digests = { get: memory.get, put: (updates: Iterable<DigestUpdate>) => {
      const list = [...updates];
      puts.push(...list.map((u) => `${u.key} ${u.lastOutcome}`));
      return memory.put(list);
    } };
    await lastValueFrom(from([malformed(1, 'not json'), invalid(1, { id: 'C3', name: '' })]).pipe(rememberUpstreamRejections(digests, 'id'), toArray()));
    expect(puts).to.have.length(2);
    expect(puts[0]).to.match(new RegExp(`^${UNREADABLE_KEY}[0-9a-f]{32} rejected$`));
    expect(puts[1]).to.equal('C3 rejected');
  });
});
