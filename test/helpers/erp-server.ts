/**
 * An ERP's order API on 127.0.0.1 for tests of the http sink: it books each order it is POSTed
 * and gives it an ERP number, and recognises a redelivery by its `Idempotency-Key` (answering as
 * the first time, booking nothing), as an ERP that honours the header does. A GET lists what it
 * booked, `[{orderNumber, erpNumber}]`: the export a write-back reads. Faults are scripted
 * per order number: a 500 before booking, a 500 after booking (the answer lost, the order kept),
 * a 400 refusal.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { send, startScriptedServer, type ScriptedServer } from './scripted-server.js';

/** One request as the ERP saw it. */
export interface ErpRequest {
  readonly key: string | undefined;
  readonly orderNumber: string | undefined;
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
}

export interface ErpFaults {
  /** Order numbers whose first request is answered 500 before anything is booked. */
  readonly failBeforeBooking?: readonly string[];
  /** Order numbers whose first request is booked, then answered 500 (the answer is lost). */
  readonly failAfterBooking?: readonly string[];
  /** Order numbers refused with 400 and this answer, every time. */
  readonly refuse?: Readonly<Record<string, string>>;
}

export interface Erp {
  /** `http://127.0.0.1:<port>/api/orders` */
  readonly url: string;
  /** Every booking, in order: an order booked twice shows twice. */
  readonly bookings: readonly { readonly orderNumber: string; readonly erpNumber: string }[];
  readonly requests: readonly ErpRequest[];
  close(): Promise<void>;
}

/** Starts the ERP; requests without `Authorization: Bearer <token>` get 401. */
export async function startErp(token: string, faults: ErpFaults = {}): Promise<Erp> {
  const bookings: { orderNumber: string; erpNumber: string }[] = [];
  const requests: ErpRequest[] = [];
  const byKey = new Map<string, string>();
  const failedOnce = new Set<string>();
  const server: ScriptedServer = await startScriptedServer((req, res) => {
    // The ERP's own export: every order booked, with its number (what a write-back reads).
    if (req.method === 'GET') {
      if (req.headers.authorization !== `Bearer ${token}`) return send(res, 401, { error: 'unauthorised' }, {}, 'application/json');
      return send(res, 200, bookings, {}, 'application/json');
    }
    const key = typeof req.headers['idempotency-key'] === 'string' ? req.headers['idempotency-key'] : undefined;
    const answer = (status: number, body: unknown) => {
      requests.push({ key, orderNumber, status, headers: req.headers });
      send(res, status, body, {}, 'application/json');
    };
    let orderNumber: string | undefined;
    try {
      // An order as the ERP wants it ({orderNumber}), or Oro's own document (data.attributes.identifier).
      const body = JSON.parse(req.body) as { orderNumber?: string; data?: { attributes?: { identifier?: string } } };
      orderNumber = body.orderNumber ?? body.data?.attributes?.identifier;
    } catch {
      return answer(400, { error: 'not JSON' });
    }
    if (req.headers.authorization !== `Bearer ${token}`) return answer(401, { error: 'unauthorised' });
    if (orderNumber === undefined) return answer(400, { error: 'no orderNumber' });
    const refusal = faults.refuse?.[orderNumber];
    if (refusal !== undefined) return answer(400, JSON.parse(refusal) as unknown);
    const firstTime = !failedOnce.has(orderNumber);
    if (firstTime && faults.failBeforeBooking?.includes(orderNumber)) {
      failedOnce.add(orderNumber);
      return answer(500, { error: 'database busy' });
    }
    const known = key === undefined ? undefined : byKey.get(key);
    const erpNumber = known ?? `ERP-${String(bookings.length + 1).padStart(5, '0')}`;
    if (known === undefined) {
      bookings.push({ orderNumber, erpNumber });
      if (key !== undefined) byKey.set(key, erpNumber);
    }
    if (firstTime && faults.failAfterBooking?.includes(orderNumber)) {
      failedOnce.add(orderNumber);
      return answer(500, { error: 'timeout writing the answer' });
    }
    return answer(201, { orderNumber, erpNumber });
  });
  return { url: `${server.origin}/api/orders`, bookings, requests, close: () => server.close() };
}
