/**
 * The CLI against each Oro version the fake plays: `externalId` on customers exists only from
 * Oro 6.1.10 / 7.0.2, so on 6.0 a config keyed by it must stop with advice, writing nothing.
 */
import { expect } from 'chai';
import { runCli, summaries, useFakeOroWorkspace } from '../helpers/cli.js';

const ADVICE = /target\.key\.oro: this Oro has no filterable "externalId" on customers \(customers\.externalId exists from Oro 6\.1\.10 and 7\.0\.2 on\).*add a custom field with an API filter/;

describe('e2e: Oro versions', function () {
  this.timeout(60_000);

  describe('6.0 (no externalId)', () => {
    const t = useFakeOroWorkspace({ version: '6.0' }, (t) => {
      t.ws.writeNdjson('source.ndjson', [{ id: 'V1', name: 'Alpha' }, { id: 'V2', name: 'Beta' }]);
    });

    it('check exits 2 with the advice line', async () => {
      const config = t.ws.config('customers', t.oro);
      const result = await runCli(['check', config], { env: t.env });
      expect(result.code, result.stdout + result.stderr).to.equal(2);
      expect(result.stdout).to.match(ADVICE);
    });

    it('run exits 2 with the same advice, nothing written, no dead letter per record', async () => {
      const before = t.oro.records('customers').length;
      const config = t.ws.config('customers', t.oro);
      const result = await runCli(['run', '--once', config], { env: t.env });
      expect(result.code, result.stdout + result.stderr).to.equal(2);
      expect(result.stderr).to.match(ADVICE);
      expect(t.oro.records('customers')).to.have.length(before);
      expect(t.oro.requests.filter((r) => r.path !== '/oauth2-token' && (r.method === 'POST' || r.method === 'PATCH'))).to.have.length(0);
    });
  });

  for (const version of ['6.1', '7.0'] as const) {
    describe(`${version} (externalId)`, () => {
      const t = useFakeOroWorkspace({ version }, (t) => {
        t.ws.writeNdjson('source.ndjson', [{ id: 'V1', name: 'Alpha' }, { id: 'V2', name: 'Beta' }]);
      });

      it('check passes and run creates both customers', async () => {
        const config = t.ws.config('customers', t.oro);
        const check = await runCli(['check', config], { env: t.env });
        expect(check.code, check.stdout + check.stderr).to.equal(0);
        const run = await runCli(['run', '--once', config], { env: t.env });
        expect(run.code, run.stderr).to.equal(0);
        expect(summaries(run.stdout)[0]).to.include({ created: 2, rejected: 0 });
      });
    });
  }
});
