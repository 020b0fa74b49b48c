import { startFakeOro, type FakeOro, type FakeOroOptions } from '../../src/testing/index.js';
import { createHttp, type Http } from '../../src/util/http.js';
import { createOroClient } from '../../src/oro/client.js';
import { createTokenStream } from '../../src/auth/token-stream.js';
import type { OroClient } from '../../src/oro/types.js';
import type { TokenStream } from '../../src/auth/types.js';

/** A fake Oro and a client wired to it the way the CLI wires them, for integration tests. */
export interface OroHarness {
  readonly oro: FakeOro;
  readonly http: Http;
  readonly tokens: TokenStream;
  readonly client: OroClient;
  close(): Promise<void>;
}

export async function startHarness(options: FakeOroOptions = {}, concurrency = 8): Promise<OroHarness> {
  const oro = await startFakeOro(options);
  const http = createHttp({ concurrency, timeoutMs: 5_000 });
  const tokens = createTokenStream({
    tokenUrl: oro.tokenUrl,
    clientId: oro.clientId,
    clientSecret: oro.clientSecret,
    fetch: http.fetch,
    retry: { retries: 5, baseMs: 1, maxMs: 5 },
  });
  const client = createOroClient({ baseUrl: oro.baseUrl, tokens, http });
  return {
    oro,
    http,
    tokens,
    client,
    async close() {
      tokens.shutdown();
      client.close();
      http.close();
      await oro.close();
    },
  };
}
