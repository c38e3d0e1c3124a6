import { type AddressInfo, createConnection, createServer, type Socket } from 'node:net';

/**
 * A TCP proxy on 127.0.0.1 in front of a server on 127.0.0.1 (a test's `redis-server`) that can
 * lose one reply the way a network does: the command reaches the server, which runs it, but the
 * answer never comes back and the connection is cut. A Redis client then reconnects, and ioredis
 * sends again every command whose reply it lacked (`autoResendUnfulfilledCommands`, on by
 * default): what a test of a script run twice needs. It can also hold every reply for a delay
 * (`setDelay`): a Redis slower than a client's command timeout (a saturated server, a congested
 * link), which runs each command and answers it, late.
 */
export interface ReplyDropProxy {
  /** `redis://127.0.0.1:<port>`. */
  readonly url: string;
  readonly port: number;
  /** Connections accepted so far (a reconnection counts). */
  readonly connections: () => number;
  /**
   * Arms the proxy: the next chunk a client sends that contains `marker` goes to the server, and
   * the first bytes the server sends back on that connection afterwards are dropped and both
   * sides of it destroyed. Resolves once that happened. Keep one command in flight then: replies
   * to commands sent before it on the connection are lost with it.
   */
  dropReplyTo(marker: string): Promise<void>;
  /**
   * Holds each reply this long after it arrives, from now on (0, the default: passes them on at
   * once). Replies stay in order when the delay changes: none leaves before the one ahead of it.
   */
  setDelay(ms: number): void;
  /** Stops listening: a client reconnecting now is refused (ECONNREFUSED), as by a server down. */
  refuse(): Promise<void>;
  /** Listens again, on the same port, after `refuse()`. */
  accept(): Promise<void>;
  /** Stops listening and destroys every socket. Idempotent. */
  close(): Promise<void>;
}

export async function startReplyDropProxy(targetPort: number): Promise<ReplyDropProxy> {
  const sockets = new Set<Socket>();
  let connections = 0;
  let armed: { marker: Buffer; dropped: () => void } | undefined;
  let delayMs = 0;
  /** Replies held for the delay: cleared by `close()`, so that no timer outlives the proxy. */
  const holds = new Set<ReturnType<typeof setTimeout>>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    // a reset is what this proxy does; the other side's error is expected
    socket.on('error', () => {});
  };
  const server = createServer((client) => {
    connections++;
    track(client);
    const upstream = createConnection({ host: '127.0.0.1', port: targetPort });
    track(upstream);
    let dropNext: (() => void) | undefined;
    // The replies held on this connection: the next one leaves after the last of them.
    let held = 0;
    let ahead = Promise.resolve();
    // the last bytes of the previous chunk, so that a marker split over two chunks is found
    let tail = Buffer.alloc(0);
    client.on('data', (chunk: Buffer) => {
      if (armed !== undefined) {
        const seen = Buffer.concat([tail, chunk]);
        if (seen.includes(armed.marker)) {
          dropNext = armed.dropped;
          armed = undefined;
        } else tail = seen.subarray(Math.max(0, seen.length - armed.marker.length + 1));
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (dropNext !== undefined) {
        const dropped = dropNext;
        dropNext = undefined;
        client.destroy();
        upstream.destroy();
        dropped();
        return;
      }
      if (delayMs === 0 && held === 0) {
        client.write(chunk);
        return;
      }
      const due = performance.now() + delayMs;
      held++;
      ahead = ahead.then(
        () =>
          new Promise<void>((resolve) => {
            const hold = setTimeout(
              () => {
                holds.delete(hold);
                held--;
                if (!client.destroyed) client.write(chunk);
                resolve();
              },
              Math.max(0, due - performance.now()),
            );
            holds.add(hold);
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
    port,
    connections: () => connections,
    dropReplyTo(marker) {
      return new Promise<void>((resolve) => {
        armed = { marker: Buffer.from(marker), dropped: resolve };
      });
    },
    setDelay(ms) {
      delayMs = ms;
    },
    refuse: () => new Promise<void>((resolve) => server.close(() => resolve())),
    accept: () => new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve)),
    close() {
      closing ??= new Promise<void>((resolve) => {
        for (const hold of holds) clearTimeout(hold);
        holds.clear();
        for (const socket of sockets) socket.destroy();
        if (server.listening) server.close(() => resolve());
        else resolve();
      });
      return closing;
    },
  };
}
