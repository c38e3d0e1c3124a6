// A TCP proxy on 127.0.0.1 in front of a test's `redis-server` that holds every reply for a delay
// the test sets: a Redis slower than `commandTimeoutMs` (a saturated server, a congested link),
// which runs each command and answers it, late. Replies stay in order when the delay changes.
import { type AddressInfo, createConnection, createServer, type Socket } from 'node:net';

export interface DelayingProxy {
  /** `redis://127.0.0.1:<port>`. */
  readonly url: string;
  /** Holds each reply this long from now on (0: passes them on at once). */
  setDelay(ms: number): void;
  /** Stops listening and destroys every socket. Idempotent. */
  close(): Promise<void>;
}

export async function startDelayingProxy(targetPort: number): Promise<DelayingProxy> {
  const sockets = new Set<Socket>();
  let delayMs = 0;
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
  };
  const server = createServer((client) => {
    track(client);
    const upstream = createConnection({ host: '127.0.0.1', port: targetPort });
    track(upstream);
    client.on('data', (chunk: Buffer) => upstream.write(chunk));
    // Each reply leaves at its arrival plus the delay, never before the one ahead of it.
    let ahead = Promise.resolve();
    upstream.on('data', (chunk: Buffer) => {
      const due = performance.now() + delayMs;
      ahead = ahead.then(
        () =>
          new Promise<void>((resolve) => {
            setTimeout(() => {
              if (!client.destroyed) client.write(chunk);
              resolve();
            }, Math.max(0, due - performance.now()));
          }),
      );
    });
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    url: `redis://127.0.0.1:${port}`,
    setDelay(ms) {
      delayMs = ms;
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      });
      return closing;
    },
  };
}
