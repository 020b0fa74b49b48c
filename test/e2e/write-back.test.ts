/**
 * The ERP's order number written back into Oro, through the CLI: orders out to the ERP (an oro
 * source, an http sink), the ERP's numbers back in (an http source, `update-only` on orders by
 * `identifier`, setting `externalId`), and the next export, which must not send those orders
 * again. On an Oro without `orders.externalId` (before 6.1.10 / 7.0.2), `check` and `run` say
 * which field to use instead.
 */
import { expect } from 'chai';
import { runCli, useFakeOroWorkspace } from '../helpers/cli.js';
import { startErp, type Erp } from '../helpers/erp-server.js';

const ERP_TOKEN = 'erp-write-back-t0ken';
const SUMMARY = /^done: sent (\d+), unchanged (\d+), skipped (\d+), rejected (\d+), failed (\d+) in \d+\.\d s$/m;
const TO_ERP = 'export default ({ data, included }) => ({ orderNumber: data.attributes.identifier, po: data.attributes.poNumber, lines: included.map((item) => [item.attributes.productSku, item.attributes.quantity]) });\n';

function suite(version: '7.0' | '6.0', body: (t: ReturnType<typeof useFakeOroWorkspace>, erp: () => Erp) => void): void {
  const t = useFakeOroWorkspace({ version });
  let server: Erp;
  beforeEach(async () => {
    server = await startErp(ERP_TOKEN);
    t.ws.write('to-erp.mjs', TO_ERP);
    const now = Date.now();
    for (let n = 1; n <= 10; n += 1) {
      const { id } = t.oro.seed('orders', { identifier: `SO-${1000 + n}`, poNumber: `PO-${n}` });
      t.oro.seed('orderlineitems', { productSku: `SKU-${n}`, quantity: n, value: 4 }, { order: { data: { type: 'orders', id } } });
      t.oro.touch('orders', id, { attributes: { updatedAt: `${new Date(now - 600_000 + n * 1000).toISOString().slice(0, 19)}Z` } });
    }
  });
  afterEach(() => server.close());
  body(t, () => server);
}

describe('e2e: the ERP\'s order number written back into Oro', function () {
  this.timeout(120_000);

  const configs = (t: ReturnType<typeof useFakeOroWorkspace>, erp: Erp) => ({
    out: t.ws.config('orders-to-erp', t.oro, {
      source: { kind: 'oro', type: 'orders', include: ['lineItems'], pageSize: 50, path: undefined },
      target: undefined,
      sink: { kind: 'http', url: erp.url, headers: { Authorization: 'Bearer ${ERP_TOKEN}' }, transform: 'to-erp.mjs' },
    }),
    back: t.ws.config('erp-numbers', t.oro, {
      source: { kind: 'http', url: erp.url, headers: { Authorization: 'Bearer ${ERP_TOKEN}' }, path: undefined },
      target: { type: 'orders', strategy: 'update-only', key: { source: 'orderNumber', oro: 'identifier' }, attributes: { externalId: 'erpNumber' }, relationships: {} },
    }),
  });

  describe('on Oro 7.0', () => {
    suite('7.0', (t, erp) => {
      it('writes 10 ERP numbers with 10 PATCHes and no POST; the next export sends none of them again', async () => {
        const env = { ...t.env, ERP_TOKEN };
        const { out, back } = configs(t, erp());
        const exported = await runCli(['run', '--once', out], { env });
        expect(exported.code, exported.stderr.slice(-2000)).to.equal(0);
        expect(SUMMARY.exec(exported.stdout)?.slice(1).map(Number)).to.deep.equal([10, 0, 0, 0, 0]);
        expect(erp().bookings).to.have.length(10);

        t.oro.resetLog();
        const written = await runCli(['run', '--once', back], { env });
        expect(written.code, written.stderr.slice(-2000)).to.equal(0);
        expect(written.stdout).to.match(/^done: created 0, updated 10, unchanged 0, skipped 0, rejected 0, failed 0 in /m);
        // Reads are not writes: GETs, and the OPTIONS probe of a pipeline's first run (its preflight).
        const writes = t.oro.requests.filter((r) => r.method !== 'GET' && r.method !== 'OPTIONS' && r.path.includes('/orders'));
        expect(writes.map((r) => r.method)).to.deep.equal(Array.from({ length: 10 }, () => 'PATCH'));
        const byIdentifier = new Map(t.oro.records('orders').map((o) => [o.attributes?.['identifier'], o.attributes?.['externalId']]));
        for (const { orderNumber, erpNumber } of erp().bookings) expect(byIdentifier.get(orderNumber), orderNumber).to.equal(erpNumber);

        // The write-back bumped every order's updatedAt: the export reads them again, sends none.
        const again = await runCli(['run', '--once', out], { env });
        expect(again.code, again.stderr.slice(-2000)).to.equal(0);
        expect(SUMMARY.exec(again.stdout)?.slice(1).map(Number)).to.deep.equal([0, 10, 0, 0, 0]);
        expect(erp().bookings).to.have.length(10);
        expect(erp().requests.filter((r) => r.status === 201)).to.have.length(10);
      });
    });
  });

  describe('on Oro 6.0 (no orders.externalId)', () => {
    suite('6.0', (t, erp) => {
      const advice = 'target.attributes.externalId: this Oro has no "externalId" on orders (Oro has it from 6.1.10 and 7.0.2 on)';

      it('check says which field to use instead, and exits 2', async () => {
        const { back } = configs(t, erp());
        const check = await runCli(['check', back], { env: { ...t.env, ERP_TOKEN } });
        expect(check.code, check.stdout + check.stderr).to.equal(2);
        expect(check.stdout).to.contain(`not usable: ${advice}`);
        expect(check.stdout).to.contain('put the ERP\'s number in a field of orders that this Oro has: a custom field (an extend field, e.g. erpNumber, with its API access enabled)');
      });

      it('run stops at the first refusal with the same advice, exit 2, instead of rejecting every order', async () => {
        const env = { ...t.env, ERP_TOKEN };
        const { out, back } = configs(t, erp());
        expect((await runCli(['run', '--once', out], { env })).code).to.equal(0);
        const written = await runCli(['run', '--once', back], { env });
        expect(written.code, written.stdout + written.stderr).to.equal(2);
        expect(written.stderr).to.contain(advice);
        expect(t.ws.deadLetters()).to.deep.equal([]);
      });
    });
  });
});
