import type { Logger } from 'pino';
import { loadConfigs } from './load-configs.js';

/** `oro-sync publish <config.json>`: the config's source records, published to `publish.queue`. */
export async function publishCommand(file: string, logger: Logger, _print: (line: string) => void): Promise<number> {
  const [config] = await loadConfigs([file], logger);
  throw new Error(`${config?.name ?? file}: publish is not supported by this build yet`);
}
