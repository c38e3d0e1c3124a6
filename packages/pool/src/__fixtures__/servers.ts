// Test-only helpers: real node:http servers on loopback that count what they see, and the
// clean-up of the servers and pools a test file starts.
import diagnosticsChannel from 'node:diagnostics_channel';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, vi } from 'vitest';
import { createPool, type Pool } from '../pool';

// Captured before any test installs fake timers, so the trackers keep working under them.
const realSetImmediate = globalThis.setImmediate;

/**
 * Counts sockets open at once, as servers see them (the caps as servers see them). A client that
 * closes a socket and then opens another can have its new connection accepted by the server
 * before the server has read the old socket's FIN in the same event-loop turn; counting a new
 * socket one turn later (after every event already pending is handled) removes that artefact
 * without hiding a socket that is really still open.
 */
export class SocketTracker {
  open = 0;
  maxOpen = 0;
  opened = 0;

  track(socket: Socket, onClose?: () => void): void {
    this.opened++;
    let closed = false;
    let counted = false;
    realSetImmediate(() => {
      if (closed) return;
      counted = true;
      this.open++;
      this.maxOpen = Math.max(this.maxOpen, this.open);
    });
    // A socket the client closed is gone from the client's side once its FIN arrives ('end'),
    // even if the server's own 'close' event comes later.
    const done = () => {
      if (closed) return;
      closed = true;
      if (counted) this.open--;
      onClose?.();
    };
    socket.on('end', done);
    socket.on('close', done);
  }
}

/**
 * Counts client sockets (every `net`/`tls` client socket created in this process) open at once,
 * exactly, from the client's side: created until closed. Stop it when done.
 */
export function trackClientSockets(): { open: number; maxOpen: number; opened: number; stop(): void } {
  const state = {
    open: 0,
    maxOpen: 0,
    opened: 0,
    stop: () => diagnosticsChannel.unsubscribe('net.client.socket', onSocket),
  };
  const onSocket = (message: unknown) => {
    const socket = (message as { socket: Socket }).socket;
    state.opened++;
    state.open++;
    state.maxOpen = Math.max(state.maxOpen, state.open);
    socket.once('close', () => {
      state.open--;
    });
  };
  diagnosticsChannel.subscribe('net.client.socket', onSocket);
  return state;
}

export interface CountingServerOptions {
  host?: string;
  port?: number;
  /** The server's keep-alive timeout (it sends `Keep-Alive: timeout=N`). Default 60 s. */
  keepAliveTimeoutMs?: number;
  /** Hold every response until `release()` is called. */
  hold?: boolean;
  /** Also count sockets in a tracker shared with other servers. */
  tracker?: SocketTracker;
  /** Response body. Default `ok`. */
  body?: string;
  /** Answer with `Connection: close`, so every request needs a new socket. */
  closeConnection?: boolean;
}

export interface CountingServer {
  server: http.Server;
  host: string;
  port: number;
  /** `http://host:port` */
  url: string;
  /** This server's own socket counts. */
  sockets: SocketTracker;
  requests: number;
  /** Requests received and not yet answered (only when holding). */
  held: number;
  /** Answers every held request and stops holding. */
  release(): void;
  /** Resolves when the server has received `n` requests in total. */
  waitForRequests(n: number): Promise<void>;
  /** Resolves when the server has seen `n` sockets close in total. */
  waitForClosedSockets(n: number): Promise<void>;
  close(): Promise<void>;
}

export async function startServer(options: CountingServerOptions = {}): Promise<CountingServer> {
  const host = options.host ?? '127.0.0.1';
  const sockets = new SocketTracker();
  const held: http.ServerResponse[] = [];
  let holding = options.hold ?? false;
  let closedSockets = 0;
  const requestWaiters: { n: number; resolve: () => void }[] = [];
  const closeWaiters: { n: number; resolve: () => void }[] = [];
  const body = options.body ?? 'ok';

  const server = http.createServer((req, res) => {
    result.requests++;
    for (const w of requestWaiters.filter((w) => result.requests >= w.n)) {
      requestWaiters.splice(requestWaiters.indexOf(w), 1);
      w.resolve();
    }
    if (options.closeConnection) res.setHeader('connection', 'close');
    req.resume();
    req.on('end', () => {
      if (holding) held.push(res);
      else res.end(body);
    });
  });
  server.keepAliveTimeout = options.keepAliveTimeoutMs ?? 60_000;
  server.on('connection', (socket: Socket) => {
    options.tracker?.track(socket);
    sockets.track(socket, () => {
      closedSockets++;
      for (const w of closeWaiters.filter((w) => closedSockets >= w.n)) {
        closeWaiters.splice(closeWaiters.indexOf(w), 1);
        w.resolve();
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const result: CountingServer = {
    server,
    host,
    port,
    url: `http://${host}:${port}`,
    sockets,
    requests: 0,
    get held() {
      return held.length;
    },
    release() {
      holding = false;
      for (const res of held.splice(0)) res.end(body);
    },
    waitForRequests(n) {
      if (result.requests >= n) return Promise.resolve();
      return new Promise((resolve) => requestWaiters.push({ n, resolve }));
    },
    waitForClosedSockets(n) {
      if (closedSockets >= n) return Promise.resolve();
      return new Promise((resolve) => closeWaiters.push({ n, resolve }));
    },
    close() {
      result.release();
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
  return result;
}

/** Starts servers on 127.0.0.1, 127.0.0.2, ... sharing one port (for DNS rotation tests). */
export async function startServersOnOnePort(
  hosts: string[],
  options: CountingServerOptions = {},
): Promise<CountingServer[]> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const first = await startServer({ ...options, host: hosts[0]! });
    const started = [first];
    try {
      for (const host of hosts.slice(1)) {
        started.push(await startServer({ ...options, host, port: first.port }));
      }
      return started;
    } catch {
      await Promise.all(started.map((s) => s.close()));
    }
  }
  throw new Error('Could not bind the same port on several loopback addresses');
}

/** Finds a loopback port with nothing listening (refuses connections). */
export async function refusedPort(host = '127.0.0.1'): Promise<number> {
  const s = await startServer({ host });
  await s.close();
  return s.port;
}


/** Timer fakes that leave setImmediate and nextTick real, so loopback I/O keeps flowing. */
export const FAKE_TIMERS = {
  toFake: [
    'setTimeout',
    'clearTimeout',
    'setInterval',
    'clearInterval',
    'Date',
    'performance',
  ] as ('setTimeout' | 'clearTimeout' | 'setInterval' | 'clearInterval' | 'Date' | 'performance')[],
};

/**
 * Starts servers (`server()`) and pools (`pool()`) for the calling test file, and after each of its
 * tests puts the real clock back, destroys the pools and closes the servers. A test that closes a
 * server itself may take it out of `servers`.
 */
export function useServersAndPools(): {
  servers: CountingServer[];
  server(options?: CountingServerOptions): Promise<CountingServer>;
  pool(options?: Parameters<typeof createPool>[0]): Pool;
} {
  const servers: CountingServer[] = [];
  const pools: Pool[] = [];
  afterEach(async () => {
    vi.useRealTimers();
    await Promise.all(pools.splice(0).map((p) => p.destroy()));
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });
  return {
    servers,
    async server(options = {}) {
      const s = await startServer(options);
      servers.push(s);
      return s;
    },
    pool(options = {}) {
      const p = createPool(options);
      pools.push(p);
      return p;
    },
  };
}

/** The body of a request's answer, as text. */
export async function text(p: Promise<{ body: { text(): Promise<string> } }>): Promise<string> {
  return (await p).body.text();
}

/**
 * A server that answers with headers and a first chunk, then nothing: every body is being read
 * when a test aborts it. `close()` ends its connections.
 */
export async function startPartialBodyServer(): Promise<{ url: string; close(): Promise<void> }> {
  const srv = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.write('partial');
  });
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(srv.address() as AddressInfo).port}`,
    close: async () => {
      srv.closeAllConnections();
      await new Promise<void>((resolve) => srv.close(() => resolve()));
    },
  };
}
