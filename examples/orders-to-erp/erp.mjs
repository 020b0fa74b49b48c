/**
 * A stand-in for an ERP's order API, on 127.0.0.1, for this example:
 *
 * - `POST /api/orders` books an order (`{orderNumber, ...}`, or an array of them) and answers
 *   `201 {orderNumber, erpNumber}`. A request whose `Idempotency-Key` it has seen is answered as
 *   the first time and books nothing: a redelivery, not a second order.
 * - `GET /api/orders` lists what it booked, `[{orderNumber, erpNumber, bookedAt}]`: the export the
 *   write-back (`erp-numbers.json`) reads.
 *
 * Every request needs `Authorization: Bearer $ERP_TOKEN`. Run it with `ERP_TOKEN=... node erp.mjs`
 * (`PORT` to choose the port, default any free one); its first line on stdout is
 * `{"url":"http://127.0.0.1:P/api/orders"}`. It keeps nothing on disk.
 */
import { Buffer } from 'node:buffer';
import { createServer } from 'node:http';
import process from 'node:process';

const token = process.env.ERP_TOKEN;
if (!token) {
  process.stderr.write('erp.mjs: set ERP_TOKEN (the bearer token the ERP accepts)\n');
  process.exit(2);
}

/** @type {{ orderNumber: string, erpNumber: string, bookedAt: string }[]} */
const booked = [];
/** Idempotency-Key -> the answer it got. */
const answered = new Map();

function reply(res, status, body) {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}

function book(order) {
  const erpNumber = `ERP-${String(booked.length + 1).padStart(6, '0')}`;
  booked.push({ orderNumber: order.orderNumber, erpNumber, bookedAt: new Date().toISOString() });
  return { orderNumber: order.orderNumber, erpNumber };
}

const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    if (req.url !== '/api/orders') return reply(res, 404, { error: 'not found' });
    if (req.headers.authorization !== `Bearer ${token}`) return reply(res, 401, { error: 'unauthorised' });
    if (req.method === 'GET') return reply(res, 200, booked);
    if (req.method !== 'POST') return reply(res, 405, { error: 'GET or POST' });
    const key = req.headers['idempotency-key'];
    const known = typeof key === 'string' ? answered.get(key) : undefined;
    if (known) return reply(res, known.status, known.body);
    let body;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      return reply(res, 400, { error: 'the body is not JSON' });
    }
    const orders = Array.isArray(body) ? body : [body];
    // All or nothing: a request with one bad order books none of them.
    if (!orders.every((order) => typeof order?.orderNumber === 'string')) return reply(res, 400, { error: 'every order needs its orderNumber' });
    const numbers = orders.map(book);
    const answer = { status: 201, body: Array.isArray(body) ? numbers : numbers[0] };
    if (typeof key === 'string') answered.set(key, answer);
    reply(res, answer.status, answer.body);
  });
});

server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${server.address().port}/api/orders` })}\n`);
});
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  });
}
