import { expect } from 'chai';
import { pino } from 'pino';
import { catchError, EMPTY } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { HttpError } from '../../src/errors/http-error.js';
import { createLimiter } from '../../src/oro/limiter.js';
import { throttleRequests } from '../../src/operators/throttle.js';
import { createMetrics } from '../../src/run/metrics.js';
import { reportPauses } from '../../src/run/pauses.js';

const URL = 'http://127.0.0.1/admin/api/customers';

/** A pino logger writing its JSON lines into `lines`. */
function capturingLogger() {
  const lines: { level: number; msg: string; pauseMs?: number }[] = [];
  const logger = pino({ base: null, timestamp: false }, { write: (line: string) => void lines.push(JSON.parse(line) as (typeof lines)[number]) });
  return { logger, lines };
}

describe('run/reportPauses', () => {
  it('logs one line per pause and counts pauses and paused seconds in the metrics', async () => {
    const ts = new TestScheduler((a, b) => {
      expect(a).to.deep.equal(b);
    });
    const { logger, lines } = capturingLogger();
    const metrics = createMetrics();
    ts.run(({ cold }) => {
      const limiter = createLimiter({ concurrency: 8, scheduler: ts, onPause: reportPauses(logger, metrics) });
      const refuse = (frame: string, ms: number) =>
        cold(frame, undefined, new HttpError('POST', URL, 429, [], ms)).pipe(throttleRequests(limiter), catchError(() => EMPTY)).subscribe();
      // Eight requests in flight refused together: one pause of 2 s (the later ones add 7 ms).
      for (let i = 0; i < 8; i++) refuse(`${10 + i}ms #`, 2000);
      // Later, a second pause of 1.5 s.
      ts.schedule(() => refuse('5ms #', 1500), 3000);
    });
    expect(lines.map((l) => [l.level, l.msg, l.pauseMs])).to.deep.equal([
      [40, 'Oro, or a proxy in front of it, asked to wait 2 s', 2000],
      [40, 'Oro, or a proxy in front of it, asked to wait 1.5 s', 1500],
    ]);
    expect(await metrics.registry.metrics()).to.include('oro_sync_pauses_total 2');
    const paused = (await metrics.pauseSeconds.get()).values[0]?.value;
    expect(paused).to.be.closeTo(3.507, 1e-9);
  });
});
