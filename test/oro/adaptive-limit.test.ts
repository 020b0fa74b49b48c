import { expect } from 'chai';
import { createLimiter, type LimitEvent } from '../../src/oro/limiter.js';
import { createAdaptiveLimit, createNoise, requestKind, startCourse, steer, type Course } from '../../src/oro/adaptive-limit.js';
import { mulberry32 } from '../../src/testing/index.js';
import { driveClient, sampleEvery, simulateOro, virtualTime, type RequestShape, type SimulatedOro } from '../helpers/simulated-oro.js';

/** A full batch-sync request as the issue measured Oro: 20 ms + 2 ms per record, 100 records. */
const BATCH: RequestShape = { kind: 'batch-sync', records: 100, serviceMs: 220 };
const stepOf = (limit: number) => Math.max(1, Math.floor(Math.sqrt(limit)));

interface Simulation {
  /** The limit in force, every 100 ms of virtual time from 0 to `ms`. */
  readonly limits: number[];
  /** Requests in Oro (served and queued), at the same times. */
  readonly inOro: number[];
  /** Oro's utilisation and queue wait over the second half of the run. */
  readonly late: ReturnType<SimulatedOro['stats']>;
  readonly events: LimitEvent[];
}

/**
 * Runs a bulk sync (200 requests always asked for) through an `'auto'` limiter against a
 * simulated Oro with `workers` workers for `ms` of virtual time; `at` changes things on the way.
 */
function simulate(options: {
  readonly workers: number;
  readonly ms: number;
  readonly shapes?: readonly RequestShape[];
  readonly demand?: number;
  readonly maxConcurrency?: number;
  readonly ratePerSecond?: number;
  readonly serviceOf?: (now: number, shape: RequestShape) => number;
  readonly lagOf?: (now: number) => number;
  readonly at?: readonly (readonly [number, (oro: SimulatedOro) => void])[];
  readonly clients?: readonly (readonly RequestShape[])[];
}): Simulation {
  const ts = virtualTime();
  const events: LimitEvent[] = [];
  const limiter = createLimiter({
    concurrency: 'auto',
    ...(options.maxConcurrency ? { maxConcurrency: options.maxConcurrency } : {}),
    ...(options.ratePerSecond ? { ratePerSecond: options.ratePerSecond } : {}),
    scheduler: ts,
    onLimit: (e) => events.push(e),
  });
  const oro = simulateOro(ts, options.workers);
  const serviceOf = options.serviceOf;
  const clients = (options.clients ?? [options.shapes ?? [BATCH]]).map((shapes) =>
    driveClient(ts, limiter, oro, shapes, {
      ...(options.demand !== undefined ? { demand: options.demand } : {}),
      ...(options.lagOf ? { lagOf: options.lagOf } : {}),
      ...(serviceOf ? { serviceOf: (_n: number, shape: RequestShape) => serviceOf(ts.now(), shape) } : {}),
    }),
  );
  for (const [t, change] of options.at ?? []) ts.schedule(() => change(oro), t);
  const limits = sampleEvery(ts, 100, 0, options.ms, () => limiter.limit);
  const inOro = sampleEvery(ts, 100, 0, options.ms, () => oro.inOro);
  ts.schedule(() => oro.reset(), options.ms / 2);
  let late: Simulation['late'] | undefined;
  ts.schedule(() => {
    late = oro.stats();
    for (const client of clients) client.stop();
  }, options.ms);
  ts.flush();
  return { limits, inOro, late: late!, events };
}

/** The samples from `fromMs` on (samples are 100 ms apart). */
const after = (samples: readonly number[], fromMs: number) => samples.slice(fromMs / 100);

describe('oro/createAdaptiveLimit: finds how many requests Oro serves at once (simulated Oro, virtual time)', () => {
  for (const workers of [1, 2, 8, 32]) {
    it(`converges to an Oro with ${workers} worker(s): busy, little queueing, within one step once settled`, () => {
      const { limits, late } = simulate({ workers, ms: 60_000 });
      const settled = after(limits, 30_000);
      const low = Math.min(...settled);
      const high = Math.max(...settled);
      expect(low, `limits ${settled.join(',')}`).to.be.at.least(workers);
      expect(high, `limits ${settled.join(',')}`).to.be.at.most(Math.max(workers + 1, Math.ceil(1.5 * workers)));
      expect(high - low, 'oscillation').to.be.at.most(stepOf(low));
      expect(late.utilization, 'Oro busy').to.be.at.least(0.9);
      expect(late.meanWaitMs / late.meanServiceMs, 'queue wait / service time').to.be.at.most(0.5);
    });
  }

  it('follows a drop from 16 to 4 workers: within 10 s the requests in Oro stay within 1.5x the new capacity', () => {
    const { inOro, late } = simulate({ workers: 16, ms: 40_000, at: [[20_000, (oro) => oro.setWorkers(4)]] });
    const afterDrop = after(inOro, 20_000);
    const lastOver = afterDrop.map((n, i) => (n > 1.5 * 4 ? i : -1)).reduce((a, b) => Math.max(a, b), -1);
    expect((lastOver + 1) * 100, `in Oro after the drop: ${afterDrop.join(',')}`).to.be.at.most(10_000);
    expect(late.utilization).to.be.at.least(0.9);
  });

  it('follows a rise from 4 to 16 workers: within 10 s the limit is within [16, 24] and stays there', () => {
    const { limits } = simulate({ workers: 4, ms: 40_000, at: [[20_000, (oro) => oro.setWorkers(16)]] });
    const risen = after(limits, 30_000);
    expect(Math.min(...risen), risen.join(',')).to.be.at.least(16);
    expect(Math.max(...risen), risen.join(',')).to.be.at.most(24);
  });

  it('is not fooled by one slow request: the settled limit does not move', () => {
    let slowSent = false;
    const slowOne = (now: number, shape: RequestShape) => {
      if (now < 10_000 || slowSent) return shape.serviceMs;
      slowSent = true;
      return 20 * shape.serviceMs;
    };
    const plain = simulate({ workers: 8, ms: 20_000 });
    const withSlow = simulate({ workers: 8, ms: 20_000, serviceOf: slowOne });
    expect(slowSent).to.equal(true);
    expect(after(withSlow.limits, 5_000)).to.deep.equal(after(plain.limits, 5_000));
    expect(new Set(after(withSlow.limits, 5_000)).size).to.equal(1);
  });

  it("holds, as a fixed number would, where the client's own lag makes latency come and go (not chasing it down)", () => {
    // Oro has room for 32. The client's event loop is busy for 50-450 ms about every 600 ms: an
    // answer that comes then waits until it is free.
    const random = mulberry32(7);
    const busy: [number, number][] = [];
    for (let t = 0; t < 60_000; ) {
      t += 200 + 800 * random();
      const end = t + 50 + 400 * random();
      busy.push([t, end]);
      t = end;
    }
    const lagOf = (now: number) => Math.max(0, ...busy.filter(([from, to]) => from <= now && now < to).map(([, to]) => to - now));
    const { limits, late } = simulate({ workers: 32, ms: 60_000, lagOf });
    // Without the noise rule it chases the lag down to 13, and up again, over and over.
    expect(Math.min(...after(limits, 10_000)), after(limits, 10_000).join(',')).to.be.at.least(24);
    expect(late.utilization).to.be.at.least(0.8);
    expect(late.meanWaitMs / late.meanServiceMs).to.be.at.most(0.5);
  });

  it("learns each kind's unloaded latency apart: lookups, full batches and a short batch mixed", () => {
    const shapes: RequestShape[] = [
      { kind: 'read', serviceMs: 22 },
      BATCH,
      { kind: 'read', serviceMs: 22 },
      BATCH,
      { kind: 'batch-sync', records: 37, serviceMs: 94 },
    ];
    const { limits, late } = simulate({ workers: 8, ms: 40_000, shapes });
    const settled = after(limits, 20_000);
    expect(Math.min(...settled), settled.join(',')).to.be.at.least(8);
    expect(Math.max(...settled), settled.join(',')).to.be.at.most(12);
    expect(late.utilization).to.be.at.least(0.9);
  });

  it('learns the unloaded latency again when Oro gets slower per request (not busier)', () => {
    const { limits, events } = simulate({ workers: 8, ms: 40_000, serviceOf: (now, shape) => (now < 10_000 ? shape.serviceMs : 2 * shape.serviceMs) });
    expect(events.map((e) => e.reason)).to.include('relearned');
    const recovered = after(limits, 30_000);
    expect(Math.min(...recovered), recovered.join(',')).to.be.at.least(8);
    expect(Math.max(...recovered), recovered.join(',')).to.be.at.most(12);
  });

  it('does not grow while demand, not the limit, bounds the requests (three asked for at a time)', () => {
    const { limits } = simulate({ workers: 32, ms: 20_000, demand: 3 });
    expect(Math.max(...limits)).to.equal(8);
  });

  it('never allows more than maxConcurrency', () => {
    const { limits, inOro } = simulate({ workers: 100, ms: 20_000, maxConcurrency: 16 });
    expect(Math.max(...limits)).to.equal(16);
    expect(Math.max(...inOro)).to.be.at.most(16);
  });

  it('composes with ratePerSecond: starts spaced by the rate leave slots free, so the limit does not grow', () => {
    const { limits, late } = simulate({ workers: 32, ms: 20_000, ratePerSecond: 20 });
    expect(Math.max(...limits)).to.equal(8);
    expect(late.served / 10).to.be.within(19, 21);
  });

  it('serves several pipelines on one limiter: together they converge to the capacity', () => {
    const { inOro, late } = simulate({ workers: 8, ms: 40_000, clients: [[BATCH], [{ kind: 'single', serviceMs: 30 }]] });
    const settled = after(inOro, 20_000);
    expect(Math.max(...settled), settled.join(',')).to.be.at.most(12);
    expect(late.utilization).to.be.at.least(0.9);
    expect(late.meanWaitMs / late.meanServiceMs, 'queue wait / service time').to.be.at.most(0.5);
  });

  it('tells onLimit each change and once when it settles', () => {
    const { events } = simulate({ workers: 8, ms: 20_000 });
    expect(events.map((e) => `${e.previous}->${e.limit} ${e.reason}`)).to.deep.equal(['8->16 headroom', '16->10 queueing', '10->10 settled']);
    expect(events.every((e) => e.adaptive)).to.equal(true);
    expect(events[1]!.latencyRatio).to.equal(2);
  });
});

describe('oro/createAdaptiveLimit: drops', () => {
  const started = (limit: ReturnType<typeof createAdaptiveLimit>, from: number, to: number) => {
    for (let t = from; t <= to; t++) limit.started(t, requestKind('single'), t - from + 1);
  };

  it('reads the noise of the latency ratio at one limit as its spread, deaf to a spike', () => {
    const noise = createNoise();
    noise.add(10, 1.3);
    noise.add(10, 1.9);
    expect(noise.of(10), 'fewer than 3 windows').to.equal(0);
    noise.add(10, 1.2);
    noise.add(12, 5);
    expect(noise.of(10)).to.be.closeTo(0.14826, 1e-9);
    for (let i = 0; i < 16; i++) noise.add(10, 1.25);
    expect(noise.of(10), 'steady').to.equal(0);
  });

  it('halves on a 503, once for the requests that were in flight together', () => {
    const limit = createAdaptiveLimit({ initial: 16 });
    started(limit, 1, 16);
    limit.overloaded(3);
    expect(limit.limit).to.equal(8);
    limit.overloaded(9); // started before the first drop: the same event
    expect(limit.limit).to.equal(8);
    started(limit, 17, 17);
    limit.overloaded(17);
    expect(limit.limit).to.equal(4);
  });

  it('halves on a timeout too, and never below 1', () => {
    const limit = createAdaptiveLimit({ initial: 2 });
    started(limit, 1, 1);
    limit.timedOut(1);
    expect(limit.limit).to.equal(1);
    started(limit, 2, 2);
    limit.timedOut(2);
    expect(limit.limit).to.equal(1);
  });

  it('leaves a 429 to the rate ceiling: a rate limiter in front of Oro says nothing of its capacity', () => {
    const limit = createAdaptiveLimit({ initial: 16 });
    started(limit, 1, 16);
    limit.rateLimited(1);
    expect(limit.limit).to.equal(16);
  });
});

describe('oro/adaptive-limit: steer (one decision) and requestKind', () => {
  const reading = (ratio: number, load: number, full = true) => ({ ratio, load, full, lowest: new Map<string, number>() });
  const steady = (limit: number, more: Partial<Course> = {}): Course => ({ ...startCourse(limit), slowStart: false, ...more });

  it('holds on the first window at a limit that reads queueing, decreases on the second (the milder counts)', () => {
    const first = steer(steady(19), reading(19 / 4, 19), 64);
    expect(first.course).to.deep.include({ limit: 19, visit: [19 / 4] });
    expect(steer(first.course, reading(19 / 4, 19), 64).course.limit).to.equal(9); // 4.8 estimated, halving wins
    expect(steer(steady(18, { visit: [2] }), reading(1.5, 18), 64).course.limit).to.equal(14); // 12 x 1.2
    expect(steer(steady(19, { visit: [2] }), reading(19 / 16, 19), 64).course.limit).to.equal(19); // 1.19: hold
  });

  it('judges a limit on the milder of its last two windows: one burst of lag moves nothing', () => {
    expect(steer(steady(37, { visit: [1.14] }), reading(2.6, 37), 64).course.limit).to.equal(37);
    expect(steer(steady(37, { visit: [1.84] }), reading(2.6, 37), 64).course.limit).to.be.below(37);
  });

  it('where latency comes and goes at a limit, needs it above 1.4 by two spreads, at most 0.5 in all', () => {
    expect(steer(steady(37, { visit: [1.84] }), reading(2.6, 37), 64, 0.25).course.limit, 'noisy: hold').to.equal(37);
    expect(steer(steady(37, { visit: [2.0] }), reading(2.6, 37), 64, 1).course.limit, 'a queue clearly above the noise').to.be.below(37);
  });

  it('doubles in slow start, then steps by sqrt(limit), by 1 where that would pass the edge', () => {
    expect(steer(startCourse(8), reading(1, 8), 64).course.limit).to.equal(16);
    expect(steer(steady(16), reading(1, 16), 64).course.limit).to.equal(20);
    expect(steer(steady(16, { edge: 18 }), reading(1, 16), 64).course.limit).to.equal(17);
    expect(steer(startCourse(40), reading(1, 40), 64).course.limit).to.equal(64);
  });

  it('does not raise it when demand left slots free', () => {
    expect(steer(startCourse(8), reading(1, 3, false), 64).course.limit).to.equal(8);
  });

  it('in slow start, takes a window at twice the unloaded latency at once, straight to the estimated workers', () => {
    const { course, reason } = steer(startCourse(8), reading(4, 8), 64);
    expect(reason).to.equal('queueing');
    expect(course).to.deep.include({ limit: 2, slowStart: false }); // 8 / 4 x 1.2, no halving in between
    expect(steer(steady(8), reading(4, 8), 64).course.limit, 'after slow start: a second window first').to.equal(8);
  });

  it('in slow start, takes a little latency for noise (a step, not a doubling) and stops at the first decrease', () => {
    expect(steer(startCourse(8), reading(1.2, 8), 64).course).to.deep.include({ limit: 10, slowStart: true });
    expect(steer({ ...startCourse(16), visit: [2] }, reading(2, 16), 64).course).to.deep.include({ limit: 10, slowStart: false });
    expect(steer(steady(10), reading(1.2, 10), 64).course.limit, 'after slow start: hold').to.equal(10);
  });

  it('after a probe of more that queued, waits 1, 2, 4 ... windows before the next; a probe that holds resets it', () => {
    let course = steady(1);
    const waits: number[] = [];
    for (let probe = 0; probe < 5; probe++) {
      course = steer(course, reading(1, 1), 64).course; // up to 2
      expect(course.limit).to.equal(2);
      course = steer(steer(course, reading(2, 2), 64).course, reading(2, 2), 64).course; // back to 1
      expect(course.limit).to.equal(1);
      let held = 0;
      while (steer(course, reading(1, 1), 64).course.limit === 1) {
        course = steer(course, reading(1, 1), 64).course;
        held++;
      }
      waits.push(held);
    }
    expect(waits).to.deep.equal([1, 2, 4, 8, 8]);
    course = steer(course, reading(1, 1), 64).course;
    expect(steer(course, reading(1.2, 2), 64).course).to.deep.include({ patience: 0, waitWindows: 0 });
  });

  it('at 1, learns the unloaded latency again when it still reads as queueing, and slow-starts from 2', () => {
    const again = steer(steady(1), reading(2, 1), 64);
    expect(again).to.deep.include({ reason: 'relearned', relearn: true });
    expect(again.course).to.deep.include({ limit: 2, slowStart: true });
  });

  it('names a kind by its name and a size class 9 % wide', () => {
    expect(requestKind('read')).to.equal('read/0');
    expect(requestKind('batch-sync', 100)).to.equal(requestKind('batch-sync', 95));
    expect(requestKind('batch-sync', 100)).not.to.equal(requestKind('batch-sync', 37));
    expect(requestKind('single', 0)).to.equal('single/0');
  });
});
