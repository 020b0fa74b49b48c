/**
 * The fake Oro for `bench/orders.ts`, in its own process so that the reader's CPU and memory are
 * its own. Forked with IPC; answers:
 * - `{kind: 'seed', orders, lineItems, from, perSecond, massUpdate}`: that many orders, each with
 *   `lineItems` line items, `perSecond` orders changed per second from `from` (epoch ms), and
 *   `massUpdate` of them (ids from the middle) sharing one second, as a mass update leaves them;
 * - `{kind: 'touch', every, from}`: every `every`-th order changed again (a new `poNumber`), in
 *   the hour after `from`;
 * - `{kind: 'stats'}`: API requests so far (`GET .../orders` separately);
 * - `{kind: 'close'}`.
 */
import { startFakeOro } from '../src/testing/index.js';

export type OrdersChildRequest =
  | { readonly kind: 'seed'; readonly orders: number; readonly lineItems: number; readonly from: number; readonly perSecond: number; readonly massUpdate: number }
  | { readonly kind: 'touch'; readonly every: number; readonly from: number }
  | { readonly kind: 'stats' }
  | { readonly kind: 'close' };

export type OrdersChildMessage =
  | { readonly kind: 'ready'; readonly baseUrl: string; readonly tokenUrl: string; readonly clientId: string; readonly clientSecret: string }
  | { readonly kind: 'seeded'; readonly orders: number; readonly ms: number }
  | { readonly kind: 'touched'; readonly orders: number }
  | { readonly kind: 'stats'; readonly requests: number; readonly orderPages: number };

const oro = await startFakeOro();
const iso = (ms: number): string => `${new Date(ms).toISOString().slice(0, 19)}Z`;
const send = (message: OrdersChildMessage): void => void process.send?.(message);

function seed(request: Extract<OrdersChildRequest, { kind: 'seed' }>): void {
  const started = performance.now();
  const massFrom = Math.floor(request.orders / 2);
  for (let i = 0; i < request.orders; i += 1) {
    const { id } = oro.seed('orders', { poNumber: `PO-${i}`, identifier: `SO-${i}` });
    for (let k = 1; k <= request.lineItems; k += 1) {
      oro.seed('orderlineitems', { productSku: `SKU-${k}`, productName: `Product ${k}`, quantity: k, value: 9.99, currency: 'USD', productUnitCode: 'item' }, { order: { data: { type: 'orders', id } } });
    }
    const mass = i >= massFrom && i < massFrom + request.massUpdate;
    const at = request.from + Math.floor((mass ? massFrom : i) / request.perSecond) * 1000;
    // Last: a line item's write bumps its order's updatedAt.
    oro.touch('orders', id, { attributes: { updatedAt: iso(at) } });
  }
  send({ kind: 'seeded', orders: request.orders, ms: performance.now() - started });
}

function touch(request: Extract<OrdersChildRequest, { kind: 'touch' }>): void {
  const orders = oro.records('orders');
  let touched = 0;
  for (let i = request.every - 1; i < orders.length; i += request.every) {
    const order = orders[i];
    if (!order) continue;
    const at = request.from + Math.floor((touched * 3_600_000) / Math.ceil(orders.length / request.every));
    oro.touch('orders', order.id, { attributes: { poNumber: `PO-${i}-changed`, updatedAt: iso(at) } });
    touched += 1;
  }
  send({ kind: 'touched', orders: touched });
}

process.on('message', (message: OrdersChildRequest) => {
  if (message.kind === 'seed') seed(message);
  if (message.kind === 'touch') touch(message);
  if (message.kind === 'stats') {
    const api = oro.requests.filter((r) => r.path !== '/oauth2-token');
    send({ kind: 'stats', requests: api.length, orderPages: api.filter((r) => r.method === 'GET' && r.path.endsWith('/orders')).length });
  }
  if (message.kind === 'close') void oro.close().then(() => process.exit(0));
});
process.on('disconnect', () => void oro.close().then(() => process.exit(0)));
send({ kind: 'ready', baseUrl: oro.baseUrl, tokenUrl: oro.tokenUrl, clientId: oro.clientId, clientSecret: oro.clientSecret });
