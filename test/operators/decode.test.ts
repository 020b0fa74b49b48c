import { expect } from 'chai';
import * as t from 'io-ts';
import { from, lastValueFrom, toArray } from 'rxjs';
import { NonEmptyString } from '../../src/operators/codecs.js';
import { decodeWith } from '../../src/operators/decode.js';
import { rejected, type Rejected, type Step } from '../../src/types/outcome.js';
import { rec } from './helpers.js';

const Customer = t.type({ id: t.number, attributes: t.type({ name: NonEmptyString }) });

function run<A>(codec: t.Decoder<unknown, A>, steps: Step<unknown>[]): Promise<Step<A>[]> {
  return lastValueFrom(from(steps).pipe(decodeWith(codec), toArray()));
}

describe('operators/decodeWith', () => {
  it('passes a valid record on with its decoded value and position', async () => {
    const NumberFromString = new t.Type<number, string, unknown>(
      'NumberFromString',
      t.number.is,
      (u, c) => (typeof u === 'string' && u !== '' && !Number.isNaN(Number(u)) ? t.success(Number(u)) : t.failure(u, c)),
      String,
    );
    const [out] = await run(t.type({ n: NumberFromString }), [rec({ n: '42' }, 3)]);
    expect(out).to.deep.equal({ ...rec({ n: 42 }, 3), raw: { n: '42' } });
  });

  it('a codec that gives the value back (a check) passes the step on as it is, not a copy per record', async () => {
    const step = rec({ id: 7, attributes: { name: 'Ada' } }, 2);
    const [out] = await run(Customer, [step]);
    expect(out).to.equal(step);
    // A step that carries its source form already keeps it when the codec changes the value.
    const mapped = { ...rec({ n: '1' }, 4), raw: 'n=1' };
    const [changed] = await run(t.type({ n: t.string }).pipe(new t.Type<{ n: number }, { n: string }, { n: string }>('n', (_u): _u is { n: number } => true, (u) => t.success({ n: Number(u.n) }), (a) => ({ n: String(a.n) }))), [mapped]);
    expect(changed).to.deep.equal({ ...rec({ n: 1 }, 4), raw: 'n=1' });
  });

  it('turns an invalid record into a rejected outcome saying path, expected and got', async () => {
    const bad = rec({ id: 1, attributes: { name: '' } }, 1);
    const [out] = await run(Customer, [bad]);
    expect(out).to.deep.equal(
      rejected(bad, [
        { title: 'invalid record', detail: 'attributes.name: expected non-empty string, got ""', pointer: '/attributes/name' },
      ]),
    );
  });

  it('reports every problem of a record', async () => {
    const [out] = await run(Customer, [rec({ id: 'x', attributes: {} })]);
    expect(out).to.have.property('status', 'rejected');
    expect((out as Rejected).errors.map((e) => e.detail)).to.deep.equal([
      'id: expected number, got "x"',
      'attributes.name: expected non-empty string, got undefined',
    ]);
  });

  it('passes already-decided outcomes through untouched', async () => {
    const outcome = rejected(rec('not json', 0), [{ title: 'invalid JSON', detail: 'input.ndjson:1: Unexpected token' }]);
    const [out] = await run(Customer, [outcome]);
    expect(out).to.equal(outcome);
  });

  it('rejects the record when a codec throws, instead of erroring the stream', async () => {
    const Throwing = new t.Type<string>('Throwing', t.string.is, () => {
      throw new Error('boom');
    }, t.identity);
    const [out] = await run(Throwing, [rec('x')]);
    expect(out).to.deep.include({ status: 'rejected' });
    expect((out as Rejected).errors[0]!.detail).to.equal('codec Throwing threw: boom');
  });

  it('drops nothing: one step out per step in, in order', async () => {
    const steps: Step<unknown>[] = [
      rec({ id: 1, attributes: { name: 'a' } }, 0),
      rec({ id: 2, attributes: { name: '' } }, 1),
      rejected(rec('garbage', 2), [{ title: 'invalid JSON' }]),
      rec(null, 3),
      rec({ id: 5, attributes: { name: 'e' } }, 4),
    ];
    const out = await run(Customer, steps);
    expect(out.map((s) => ('status' in s ? `${s.status}:${s.record.position.seq}` : `ok:${s.position.seq}`))).to.deep.equal([
      'ok:0',
      'rejected:1',
      'rejected:2',
      'rejected:3',
      'ok:4',
    ]);
  });
});
