// Test-only raw TCP servers on loopback: they write HTTP by hand, as a hostile or broken server
// would, and count the connections they see.
import net from 'node:net';

export interface RawServer {
  url: string;
  /** Connections accepted so far. */
  opened: number;
  /** Connections open now, as the server sees them. */
  readonly open: number;
  close(): Promise<void>;
}

/** A raw server: `answer` writes to each socket once its first request bytes arrived. */
export async function startRawServer(answer: (socket: net.Socket) => void): Promise<RawServer> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    s.opened++;
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
    socket.once('data', () => answer(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const s: RawServer = {
    url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/`,
    opened: 0,
    get open() {
      return sockets.size;
    },
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
  return s;
}

/** Answers with `103 Early Hints` every 20 ms and never a final status. */
export function endlessHints(socket: net.Socket): void {
  const hint = () => socket.write('HTTP/1.1 103 Early Hints\r\nlink: </a.css>\r\n\r\n');
  hint();
  const timer = setInterval(hint, 20);
  socket.on('close', () => clearInterval(timer));
}
