import type { Logger } from 'pino';
import { loadConfig } from '../../config/config.js';
import type { Config } from '../../config/config-types.js';

/** Loads every config (all problems of all files are reported before anything runs). */
export async function loadConfigs(files: readonly string[], logger: Logger): Promise<Config[]> {
  const configs: Config[] = [];
  for (const file of files) {
    const { config, warnings } = await loadConfig(file);
    for (const warning of warnings) logger.warn({ config: file }, warning);
    configs.push(config);
  }
  return configs;
}
