import type { Config } from '../config-types.js';
import type { RunOptions, RunResult } from '../run-config.js';
import type { Runtime } from '../runtime.js';

/** A queue worker: `run` with an `amqp` source. */
export async function runQueueWorker(config: Config, _runtime: Runtime, _options: RunOptions & { once: boolean }): Promise<RunResult> {
  throw new Error(`${config.name}: source.kind "amqp" is not supported by this build yet`);
}
