import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** A request as the server received it, body read whole. */
export interface Received {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** The body parsed as JSON, when it is JSON. */
  json: Record<string, unknown> | undefined;
}

/** Answers one request. */
export type Handler = (
  req: http.IncomingMessage,
  res: http.ServerResponse,
  received: Received,
) => void | Promise<void>;

export interface RouteServer extends TrackedListener {
  /** Every request received, in order. */
  requests: Received[];
  /** Requests whose response was closed before it ended (client aborts). */
  aborted: () => number;
}

/**
 * A real node:http server on 127.0.0.1:0 that a provider's tests script. `routes` maps
 * `METHOD /path` (or `/path`, any method) to a handler, or a list of handlers consumed in order
 * (the last one repeats); anything else is Go's `404 page not found`, as Ollama answers it.
 */
export async function startRouteServer(
  routes: Record<string, Handler | Handler[]>,
): Promise<RouteServer> {
  const requests: Received[] = [];
  const counters = new Map<string, number>();
  let aborted = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let json: Record<string, unknown> | undefined;
      try {
        json = body ? (JSON.parse(body) as Record<string, unknown>) : undefined;
      } catch {
        json = undefined;
      }
      const path = (req.url ?? '/').split('?')[0]!;
      const received: Received = {
        method: req.method ?? 'GET',
        path,
        headers: req.headers,
        body,
        json,
      };
      requests.push(received);
      res.on('close', () => {
        if (!res.writableFinished) aborted++;
      });
      const key =
        routes[`${received.method} ${path}`] !== undefined ? `${received.method} ${path}` : path;
      const route = routes[key];
      if (route === undefined) {
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end('404 page not found');
        return;
      }
      let handler: Handler;
      if (Array.isArray(route)) {
        const n = counters.get(key) ?? 0;
        counters.set(key, n + 1);
        handler = route[Math.min(n, route.length - 1)]!;
      } else handler = route;
      void handler(req, res, received);
    });
  });
  return { ...(await listenTracked(server)), requests, aborted: () => aborted };
}

/** A test server listening on 127.0.0.1 that counts its sockets and closes them all. */
export interface TrackedListener {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  url: string;
  port: number;
  /** Sockets open right now. */
  openSockets: () => number;
  /** Destroys every socket, then closes the server. */
  close: () => Promise<void>;
}

/**
 * Listens on a free loopback port and tracks every socket, so a test can tell that a client gave
 * its connections back and can close the server without waiting for keep-alive ones.
 */
export async function listenTracked(server: http.Server): Promise<TrackedListener> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    openSockets: () => sockets.size,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
