import { concurrencyBound, type PipelineConfig } from '../config/config-types.js';

/** How much a run lets into the sink at once. */
export interface InFlightBounds {
  /** The sink's `concurrency` (batches written at the same time): no bound of its own. */
  readonly batches: number;
  /** Records read and without an outcome yet (`pullThrough`'s `maxInFlight`): the memory bound. */
  readonly records: number;
}

/**
 * Requests are bounded by the limiter and memory by the records without an outcome, so batches
 * need no bound of their own. With one, a batch would hold its place until its slowest record had
 * waited out its retries, and a few such stragglers would stop every record behind them while
 * the limiter sat idle; counted in records, a straggler holds only itself (in batch modes, the
 * records of its request). `concurrency + 1` batches' worth keeps every request slot busy in any
 * mode (a batch being filled while the others are written); as much again lets up to
 * `concurrency` batch requests wait out their retries without slowing the others. With
 * `concurrency: "auto"`, `maxConcurrency + 1` batches' worth: every slot busy at the most the
 * limit may reach, which leaves room for stragglers below it; twice as much would have a run read
 * and decode 13,000 records ahead at its start, and the client's lag from that burst reads as
 * Oro's latency to the limiter just when it learns the unloaded one.
 *
 * @example
 * const { batches, records } = inFlightBounds(pipeline);
 * pullThrough(steps, (s) => s.pipe(batchRecords(...), toOro({ ..., concurrency: batches })), { maxInFlight: records });
 */
export function inFlightBounds(pipeline: Pick<PipelineConfig, 'batchSize' | 'concurrency'> & Partial<Pick<PipelineConfig, 'maxConcurrency'>>): InFlightBounds {
  const batches = pipeline.concurrency === 'auto' ? concurrencyBound(pipeline) + 1 : 2 * pipeline.concurrency + 1;
  return { batches: Infinity, records: pipeline.batchSize * batches };
}
