import { startFakeOro } from '../../testing/fake-oro.js';
import { faultsForRate } from '../../testing/faults.js';

export interface FakeOroCommandOptions {
  readonly port: number;
  readonly latency: number;
  readonly faultRate: number;
  readonly seed: number;
  readonly clientId?: string;
  readonly clientSecret?: string;
}

/**
 * `oro-sync fake-oro`: the fake Oro server on its own. Its first line on stdout is
 * `{"baseUrl": ..., "tokenUrl": ...}`; it runs until SIGINT/SIGTERM.
 *
 * `--fault-rate F` is the share of API requests that fail: 40% of it 429, 30% 503 (both with
 * `Retry-After: 1`), 20% 500 and 10% connection resets.
 */
export async function fakeOroCommand(options: FakeOroCommandOptions, print: (line: string) => void): Promise<number> {
  const oro = await startFakeOro({
    port: options.port,
    latency: options.latency,
    seed: options.seed,
    ...(options.clientId !== undefined ? { clientId: options.clientId } : {}),
    ...(options.clientSecret !== undefined ? { clientSecret: options.clientSecret } : {}),
    faults: faultsForRate(options.faultRate),
  });
  print(JSON.stringify({ baseUrl: oro.baseUrl, tokenUrl: oro.tokenUrl }));
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  await oro.close();
  return 0;
}
