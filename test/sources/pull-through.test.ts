import { expect } from 'chai';
import { Observable, Subject, from, map, mergeMap, take, lastValueFrom, toArray } from 'rxjs';
import { pullThrough, type InFlightGauge } from '../../src/sources/pull-through.js';

/** Lets every pending promise callback and I/O callback run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** `x` on a later turn of the event loop: a sink slower than the microtask-fast source. */
const nextTurn = <T>(x: T) =>
  new Observable<T>((subscriber) => {
    const handle = setImmediate(() => {
      subscriber.next(x);
      subscriber.complete();
    });
    return () => clearImmediate(handle);
  });

/** An async iterable of 0..n-1 that counts pulls and notices return(). */
function counted(n: number) {
  const state = { pulled: 0, returned: false };
  async function* gen() {
    try {
      for (let i = 0; i < n; i += 1) {
        state.pulled += 1;
        yield i;
      }
    } finally {
      state.returned = true;
    }
  }
  return { source: gen(), state };
}

/** A sink whose outputs the test releases by hand: `release(x)` lets item x out. */
function gatedSink() {
  const gates = new Map<number, Subject<number>>();
  const gate = (x: number) => {
    let g = gates.get(x);
    if (!g) gates.set(x, (g = new Subject<number>()));
    return g;
  };
  return {
    pipeline: (input: Observable<number>) => input.pipe(mergeMap((x) => gate(x).pipe(take(1)))),
    release: (x: number) => gate(x).next(x),
  };
}

describe('pullThrough', () => {
  it('pulls only while pulled - emitted < maxInFlight, one more per output', async () => {
    const { source, state } = counted(100);
    const sink = gatedSink();
    let gauge: InFlightGauge | undefined;
    const out: number[] = [];
    const sub = pullThrough(source, sink.pipeline, { maxInFlight: 5, gauge: (g) => (gauge = g) }).subscribe((x) => out.push(x));
    await settle();
    expect(state.pulled).to.equal(5);
    expect(gauge?.inFlight).to.equal(5);
    sink.release(0);
    await settle();
    expect(out).to.deep.equal([0]);
    expect(state.pulled).to.equal(6);
    expect(gauge).to.include({ pulled: 6, emitted: 1, inFlight: 5 });
    sink.release(3);
    sink.release(1);
    await settle();
    expect(state.pulled).to.equal(8);
    sub.unsubscribe();
  });

  it('never exceeds maxInFlight, checked at every pull, and emits everything once', async () => {
    const { source } = counted(500);
    const seen: number[] = [];
    const result = await lastValueFrom(
      pullThrough(
        source,
        (input) => input.pipe(mergeMap((x) => nextTurn(x), 3)),
        { maxInFlight: 7, onPull: (g) => seen.push(g.inFlight) },
      ).pipe(toArray()),
    );
    expect(result).to.have.length(500);
    expect(new Set(result).size).to.equal(500);
    expect(Math.max(...seen)).to.equal(7);
  });

  it('completes only when the source is exhausted and every output has come out', async () => {
    const { source } = counted(3);
    const sink = gatedSink();
    let completed = false;
    const out: number[] = [];
    pullThrough(source, sink.pipeline, { maxInFlight: 10 }).subscribe({ next: (x) => out.push(x), complete: () => (completed = true) });
    await settle();
    sink.release(2);
    sink.release(0);
    await settle();
    expect(completed).to.equal(false);
    sink.release(1);
    await settle();
    expect(completed).to.equal(true);
    expect(out).to.deep.equal([2, 0, 1]);
  });

  it('an error while pulling becomes the error of the Observable', async () => {
    async function* failing() {
      yield 1;
      throw new Error('disk on fire');
    }
    const outcome = await lastValueFrom(pullThrough(failing(), map((x: number) => x), { maxInFlight: 4 }).pipe(toArray())).then(
      () => 'completed',
      (e: Error) => e.message,
    );
    expect(outcome).to.equal('disk on fire');
  });

  it('unsubscribing calls iterator.return(), so the source can close its file or socket', async () => {
    const { source, state } = counted(1000);
    const sink = gatedSink();
    const sub = pullThrough(source, sink.pipeline, { maxInFlight: 2 }).subscribe();
    await settle();
    expect(state.returned).to.equal(false);
    sub.unsubscribe();
    await settle();
    expect(state.returned).to.equal(true);
    expect(state.pulled).to.equal(2);
  });

  it('a downstream take() closes the source too', async () => {
    const { source, state } = counted(1000);
    const out = await lastValueFrom(pullThrough(source, map((x: number) => x * 10), { maxInFlight: 4 }).pipe(take(3), toArray()));
    expect(out).to.deep.equal([0, 10, 20]);
    await settle();
    expect(state.returned).to.equal(true);
  });

  it('a pipeline that emits more outputs than inputs is an error (it would lift the bound)', async () => {
    const { source } = counted(10);
    const message = await lastValueFrom(
      pullThrough(source, mergeMap((x: number) => [x, x]), { maxInFlight: 4 }),
    ).then(
      () => 'completed',
      (e: Error) => e.message,
    );
    expect(message).to.match(/exactly one output per input/);
  });

  it('rejects a maxInFlight that is not a positive integer', () => {
    expect(() => pullThrough(counted(1).source, map((x: number) => x), { maxInFlight: 0 })).to.throw(RangeError, /maxInFlight/);
  });

  it('contrast: from(asyncIterable) pulls as fast as it can, whatever the sink (why pullThrough exists)', async () => {
    const { source, state } = counted(200);
    const sink = gatedSink();
    const sub = from(source).pipe(sink.pipeline).subscribe();
    for (let i = 0; i < 5; i += 1) await settle();
    expect(state.pulled).to.be.greaterThan(50);
    sub.unsubscribe();
  });
});
