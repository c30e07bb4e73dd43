/**
 * A TCP proxy in front of an emulator that a test can break: `down` refuses every connection
 * (the service is unreachable), `drop-responses` forwards requests but cuts the connection before
 * the answer gets back (the request may have taken effect, the caller cannot know).
 */
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export type ProxyMode = 'up' | 'down' | 'drop-responses';

export interface FaultProxy {
  readonly endpoint: string;
  readonly mode: ProxyMode;
  /** Switches mode and cuts every open connection (kept-alive connections included). */
  setMode(mode: ProxyMode): void;
  stop(): Promise<void>;
}

export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const { hostname, port } = new URL(target);
  const sockets = new Set<Socket>();
  let mode: ProxyMode = 'up';
  const server: Server = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    if (mode === 'down') {
      client.destroy();
      return;
    }
    const upstream = connect(Number(port), hostname);
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    client.pipe(upstream);
    if (mode === 'drop-responses') upstream.once('data', () => client.destroy());
    else upstream.pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end);
    upstream.on('error', end);
    client.on('close', end);
    upstream.on('close', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    get mode() {
      return mode;
    },
    setMode(next) {
      mode = next;
      for (const s of sockets) s.destroy();
    },
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
