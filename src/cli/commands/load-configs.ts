import type { Logger } from 'pino';
import { loadAnyConfig } from '../../config/config.js';
import type { AnyConfig } from '../../config/config-types.js';

/** Loads every config (all problems of all files are reported before anything runs). */
export async function loadConfigs(files: readonly string[], logger: Logger): Promise<AnyConfig[]> {
  const configs: AnyConfig[] = [];
  for (const file of files) {
    const { config, warnings } = await loadAnyConfig(file);
    for (const warning of warnings) logger.warn({ config: file }, warning);
    configs.push(config);
  }
  return configs;
}
