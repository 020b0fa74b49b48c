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
 * `concurrency: "auto"`, `maxConcurrency` stands for it: the limit may grow that far.
 *
 * @example
 * const { batches, records } = inFlightBounds(pipeline);
 * pullThrough(steps, (s) => s.pipe(batchRecords(...), toOro({ ..., concurrency: batches })), { maxInFlight: records });
 */
export function inFlightBounds(pipeline: Pick<PipelineConfig, 'batchSize' | 'concurrency'> & Partial<Pick<PipelineConfig, 'maxConcurrency'>>): InFlightBounds {
  return { batches: Infinity, records: pipeline.batchSize * (2 * concurrencyBound(pipeline) + 1) };
}
