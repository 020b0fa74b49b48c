/**
 * Invariant 6 end to end: with `--log-level debug`, and with tokens revoked mid-run (401s, new
 * grants), nothing the process prints holds the client secret or an access token.
 */
import { expect } from 'chai';
import { startFakeOro, type FakeOro } from '../../src/testing/index.js';
import { ensureBuilt, runCli, SECRET_ENV, summaries, workspace, type Workspace } from '../helpers/cli.js';

const SECRET = 'e2e-Secret-Value-7f3a9c';
/** The fake's tokens are shaped like JWTs (three base64url parts, the first two JSON). */
const JWT = /eyJ[\w-]{8,}\.eyJ[\w-]{8,}\.[\w-]{8,}/;
const BEARER = /Bearer\s+[\w.~+/-]{8,}/i;

describe('e2e: secrets stay secret', function () {
  this.timeout(30_000);
  let oro: FakeOro;
  let ws: Workspace;

  before(function () {
    // The first e2e file compiles src: on a loaded machine that outlasts a test's timeout.
    this.timeout(300_000);
    return ensureBuilt();
  });
  beforeEach(async () => {
    // Every 25th API request revokes all tokens: far enough apart that a request replayed after
    // its 401 is not hit by the next revocation too (it would then be rejected with its 401).
    oro = await startFakeOro({ clientSecret: SECRET, faults: { revokeEvery: 25 } });
    ws = workspace();
    ws.writeNdjson(
      'source.ndjson',
      Array.from({ length: 60 }, (_, i) => ({ id: `S${i}`, name: i % 20 === 19 ? '' : `Customer ${i}` })),
    );
  });
  afterEach(async () => {
    await oro.close();
    ws.cleanup();
  });

  function expectNoSecrets(text: string): void {
    expect(text).not.to.include(SECRET);
    expect(text).not.to.match(JWT);
    expect(text).not.to.match(BEARER);
  }

  it('a debug-level run with token revocations prints neither the secret nor any token', async () => {
    const config = ws.config('customers', oro, { pipeline: { batchSize: 10, concurrency: 4 } });
    const result = await runCli(['--log-level', 'debug', 'run', '--once', config], { env: { [SECRET_ENV]: SECRET } });
    expect(result.code, result.stderr.slice(-2000)).to.equal(1);
    expect(summaries(result.stdout)).to.deep.equal([{ created: 57, updated: 0, unchanged: 0, skipped: 0, rejected: 3, failed: 0 }]);
    // The revocations happened and were survived by re-granting.
    expect(oro.requests.filter((r) => r.status === 401).length).to.be.greaterThan(0);
    expect(oro.tokenGrants).to.be.greaterThan(1);
    expect(result.stderr).to.match(/"level":20/); // debug lines were written, and checked below
    expectNoSecrets(result.stdout);
    expectNoSecrets(result.stderr);
    for (const letter of ws.deadLetters()) expectNoSecrets(JSON.stringify(letter));
  });

  it('a debug-level check and a wrong-secret run print neither', async () => {
    const config = ws.config('customers', oro);
    const check = await runCli(['--log-level', 'debug', 'check', config], { env: { [SECRET_ENV]: SECRET } });
    expect(check.code, check.stdout + check.stderr).to.equal(0);
    expectNoSecrets(check.stdout + check.stderr);
    const wrong = `${SECRET}-but-wrong`;
    const refused = await runCli(['--log-level', 'debug', 'run', '--once', config], { env: { [SECRET_ENV]: wrong } });
    expect(refused.code).to.equal(2);
    expect(refused.stdout + refused.stderr).not.to.include(wrong);
    expectNoSecrets(refused.stdout + refused.stderr);
  });
});
