import { type AddressInfo, createConnection, createServer, type Socket } from 'node:net';

/**
 * A TCP proxy on 127.0.0.1 in front of a server on 127.0.0.1 (a test's `redis-server`) that can
 * lose one reply the way a network does: the command reaches the server, which runs it, but the
 * answer never comes back and the connection is cut. A Redis client then reconnects, and ioredis
 * sends again every command whose reply it lacked (`autoResendUnfulfilledCommands`, on by
 * default): what a test of a script run twice needs.
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
      client.write(chunk);
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
    refuse: () => new Promise<void>((resolve) => server.close(() => resolve())),
    accept: () => new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve)),
    close() {
      closing ??= new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        if (server.listening) server.close(() => resolve());
        else resolve();
      });
      return closing;
    },
  };
}
