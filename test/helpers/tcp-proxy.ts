/**
 * A TCP proxy the test controls, between one process and a server (RabbitMQ): `cut()` destroys
 * every connection through it at once, as a network split would, and refuses new ones until
 * `heal()`. The process on the near side sees its connection die while it keeps running.
 */
import { createServer, connect, type Socket } from 'node:net';

export interface TcpProxy {
  /** The port the process should connect to (on 127.0.0.1). */
  readonly port: number;
  /** Connections open through the proxy now. */
  readonly open: number;
  /** Bytes the server has sent through the proxy so far (deliveries, for a broker). */
  readonly received: number;
  cut(): void;
  heal(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const pairs = new Set<readonly [Socket, Socket]>();
  let refusing = false;
  let received = 0;
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
    far.on('data', (chunk: Buffer) => (received += chunk.length));
    near.pipe(far);
    far.pipe(near);
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
    cut() {
      refusing = true;
      for (const [near, far] of [...pairs]) {
        near.destroy();
        far.destroy();
      }
      pairs.clear();
    },
    heal() {
      refusing = false;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const [near, far] of pairs) {
          near.destroy();
          far.destroy();
        }
        server.close(() => resolve());
      }),
  };
}
