import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LocalServer {
  url: string;
  origin: string;
  /** Distinct TCP connections the server accepted: what the clients cost in sockets. */
  connections(): number;
  requests(): number;
  close(): Promise<void>;
}

/**
 * A loopback HTTP server answering every request with a small JSON body (the size of a short
 * chat answer), used to compare HTTP clients on equal terms.
 */
export async function startJsonServer(
  options: { bodyBytes?: number; delayMs?: number } = {},
): Promise<LocalServer> {
  const filler = 'x'.repeat(Math.max(0, (options.bodyBytes ?? 512) - 64));
  const body = Buffer.from(JSON.stringify({ ok: true, model: 'llama3.2', content: filler }));
  let connections = 0;
  let requests = 0;
  const server: Server = createServer((req, res) => {
    requests++;
    req.resume();
    req.on('end', () => {
      const send = () => {
        res.writeHead(200, {
          'content-type': 'application/json; charset=utf-8',
          'content-length': body.length,
        });
        res.end(body);
      };
      if (options.delayMs) setTimeout(send, options.delayMs).unref();
      else send();
    });
  });
  server.keepAliveTimeout = 60_000;
  server.on('connection', () => {
    connections++;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return {
    url: `${origin}/api/answer`,
    origin,
    connections: () => connections,
    requests: () => requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
