import { expect } from 'chai';
import { deliveryDigest, deliveryKey, idempotencyKey, prepareDelivery } from '../../src/sink/delivery.js';
import type { Delivery } from '../../src/types/delivery.js';
import type { SourceRecord } from '../../src/types/record.js';

const order = (attributes: Record<string, unknown>, id = '17') => ({
  data: { type: 'orders', id, attributes: { identifier: `SO-${id}`, updatedAt: '2026-01-01T10:00:00Z', ...attributes } },
  included: [{ type: 'orderlineitems', id: '1', attributes: { productSku: 'A', quantity: 2 } }],
});

const record = (value: unknown, seq = 0): SourceRecord => ({ value, position: { seq, where: `orders.ndjson:${seq + 1}` } });

describe('sink/delivery', () => {
  describe('deliveryKey', () => {
    it('is the primary resource\'s type/id', () => {
      expect(deliveryKey(order({}))).to.equal('orders/17');
      expect(deliveryKey({ data: { type: 'orders', id: 5 } })).to.equal('orders/5');
    });

    it('says what is missing, and where, when the record is no JSON:API document of one resource', () => {
      expect(deliveryKey({ id: 'C1' })).to.deep.include({ title: 'not a JSON:API document of one resource', pointer: '/data' });
      expect(deliveryKey({ data: [{ type: 'orders', id: '1' }] })).to.deep.include({ pointer: '/data' });
      expect(deliveryKey({ data: { id: '1' } })).to.deep.include({ pointer: '/data/type' });
      const noId = deliveryKey({ data: { type: 'orders' } });
      expect(noId).to.deep.include({ pointer: '/data/id' });
      expect((noId as { detail: string }).detail).to.contain('data.id: undefined');
    });
  });

  describe('deliveryDigest', () => {
    it('leaves out the primary resource\'s attributes.updatedAt: a write-back\'s echo is no change', () => {
      const before = deliveryDigest('orders/17', order({ updatedAt: '2026-01-01T10:00:00Z' }));
      expect(deliveryDigest('orders/17', order({ updatedAt: '2026-01-02T11:30:00Z' }))).to.equal(before);
      expect(deliveryDigest('orders/17', order({ updatedAt: undefined }))).to.equal(before);
    });

    it('changes with anything else: an attribute, a line item, the key, key order aside', () => {
      const before = deliveryDigest('orders/17', order({}));
      expect(deliveryDigest('orders/17', order({ poNumber: 'P-1' }))).not.to.equal(before);
      const item = order({});
      item.included[0]!.attributes.quantity = 3;
      expect(deliveryDigest('orders/17', item)).not.to.equal(before);
      expect(deliveryDigest('orders/18', order({}))).not.to.equal(before);
      const { data, included } = order({});
      expect(deliveryDigest('orders/17', { included, data: { attributes: data.attributes, id: data.id, type: data.type } })).to.equal(before);
    });

    it('keeps updatedAt anywhere but on the primary resource (a line item\'s, a transform\'s own field)', () => {
      expect(deliveryDigest('orders/17', { updatedAt: 'a' })).not.to.equal(deliveryDigest('orders/17', { updatedAt: 'b' }));
      const withItem = (at: string) => ({ ...order({}), included: [{ type: 'orderlineitems', id: '1', attributes: { updatedAt: at } }] });
      expect(deliveryDigest('orders/17', withItem('a'))).not.to.equal(deliveryDigest('orders/17', withItem('b')));
    });
  });

  describe('idempotencyKey', () => {
    const d = (digest: string) => ({ digest }) as Pick<Delivery, 'digest'>;
    it('is the record\'s digest for one record, a digest of the digests for several, the same every time', () => {
      expect(idempotencyKey([d('abc')])).to.equal('abc');
      const many = idempotencyKey([d('abc'), d('def')]);
      expect(many).to.match(/^[0-9a-f]{64}$/);
      expect(idempotencyKey([d('abc'), d('def')])).to.equal(many);
      expect(idempotencyKey([d('def'), d('abc')])).not.to.equal(many);
    });
  });

  describe('prepareDelivery', () => {
    it('delivers the document as it is without a transform', async () => {
      const ready = await prepareDelivery(record(order({})));
      expect(ready).to.deep.include({ key: 'orders/17', content: order({}), text: JSON.stringify(order({})) });
      expect((ready as Delivery).digest).to.equal(deliveryDigest('orders/17', order({})));
    });

    it('delivers what the transform returns (sync or async), digesting that', async () => {
      const ready = await prepareDelivery(record(order({})), async (doc) => ({ number: (doc as ReturnType<typeof order>).data.attributes.identifier }));
      expect(ready).to.deep.include({ key: 'orders/17', content: { number: 'SO-17' }, text: '{"number":"SO-17"}' });
      expect((ready as Delivery).digest).to.equal(deliveryDigest('orders/17', { number: 'SO-17' }));
    });

    it('skips a record the transform maps to null', async () => {
      expect(await prepareDelivery(record(order({})), () => null)).to.deep.include({ status: 'skipped', reason: 'sink.transform returned null' });
    });

    it('rejects a record the transform throws on, or maps to no JSON, naming the key', async () => {
      const threw = await prepareDelivery(record(order({})), () => {
        throw new Error('no customer');
      });
      expect(threw).to.deep.include({ status: 'rejected', errors: [{ title: 'sink.transform threw', detail: 'orders/17: no customer' }] });
      const nothing = await prepareDelivery(record(order({})), () => undefined);
      expect(nothing).to.deep.include({ status: 'rejected' });
      expect(JSON.stringify(nothing)).to.contain('orders/17: sink.transform must return a JSON value (null skips the record), got undefined');
      const cyclic: Record<string, unknown> = {};
      cyclic.self = cyclic;
      expect(JSON.stringify(await prepareDelivery(record(order({})), () => cyclic))).to.contain('got no JSON (');
    });

    it('rejects a record that is no JSON:API document, before any transform', async () => {
      let called = false;
      const ready = await prepareDelivery(record({ orderNumber: 'SO-1' }), () => (called = true));
      expect(ready).to.deep.include({ status: 'rejected' });
      expect(called).to.equal(false);
    });
  });
});
