/**
 * A TCP proxy the test controls, between one process and a server (RabbitMQ, the fake Oro):
 * `cut()` destroys every connection through it at once, as a network split would, and refuses
 * new ones until `heal()`; `delayMs` makes the link slow (the server's answers reach the process
 * that much later), so that its requests are in flight for a while. `setDelay` changes it for the
 * connections opened after it: several processes can reach a server by the same address, the
 * first one over slow connections, the others over fast ones.
 */
import { createServer, connect, type Socket } from 'node:net';

export interface TcpProxy {
  /** The port the process should connect to (on 127.0.0.1). */
  readonly port: number;
  /** Connections open through the proxy now. */
  readonly open: number;
  /** Bytes the server has sent through the proxy so far (deliveries, for a broker). */
  readonly received: number;
  /** Bytes the process has sent through the proxy so far (requests, for an HTTP server). */
  readonly sent: number;
  cut(): void;
  heal(): void;
  /** The delay of the connections opened from now on (those open keep theirs). */
  setDelay(ms: number): void;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number; delayMs?: number }): Promise<TcpProxy> {
  const pairs = new Set<readonly [Socket, Socket]>();
  let refusing = false;
  let received = 0;
  let sent = 0;
  let delayMs = target.delayMs ?? 0;
  const destroy = () => {
    for (const [near, far] of [...pairs]) {
      near.destroy();
      far.destroy();
    }
    pairs.clear();
  };
  const server = createServer((near) => {
    if (refusing) return near.destroy();
    const far = connect(target.port, target.host);
    const pair = [near, far] as const;
    pairs.add(pair);
    const drop = () => {
      near.destroy();
      far.destroy();
      pairs.delete(pair);
    };
    near.on('error', drop).on('close', drop);
    far.on('error', drop).on('close', drop);
    near.on('data', (chunk: Buffer) => (sent += chunk.length));
    far.on('data', (chunk: Buffer) => (received += chunk.length));
    near.pipe(far);
    // Equal delays fire in order: the stream stays in sequence.
    const delay = delayMs;
    if (delay > 0) far.on('data', (chunk: Buffer) => setTimeout(() => near.destroyed || near.write(chunk), delay));
    else far.pipe(near);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('tcp proxy: no port');
  return {
    port: address.port,
    get open() {
      return pairs.size;
    },
    get received() {
      return received;
    },
    get sent() {
      return sent;
    },
    cut() {
      refusing = true;
      destroy();
    },
    heal() {
      refusing = false;
    },
    setDelay(ms) {
      delayMs = ms;
    },
    close: () =>
      new Promise<void>((resolve) => {
        destroy();
        server.close(() => resolve());
      }),
  };
}
