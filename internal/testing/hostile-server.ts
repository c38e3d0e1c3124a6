import {
  createServer as createHttpServer,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import {
  type AddressInfo,
  createServer as createNetServer,
  type Server,
  type Socket,
} from 'node:net';

/** Live counters of a hostile server: read them at any time. */
export interface HostileStats {
  /** Connections accepted so far. */
  readonly connections: number;
  /** HTTP requests received so far (0 for a server that never reads a request). */
  readonly requests: number;
  /** Bytes written to clients so far (headers, framing and body, as they left the process). */
  readonly bytesSent: number;
  /** Connections open now. */
  readonly open: number;
  /** Whether a client went away before the server was done with it. */
  readonly clientGone: boolean;
}

/** A running hostile server on 127.0.0.1. */
export interface HostileServer {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  readonly port: number;
  readonly stats: HostileStats;
  /** Stops listening and destroys every socket (no writer outlives it). Idempotent. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** What a response handler gets: the request, the response, and whether it should stop writing. */
export interface Turn {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  /** True once the client went away or the server closes: stop writing. */
  readonly stopped: () => boolean;
  /** Waits `ms` (a global timer, cancelled when the turn stops); false when the turn stopped. */
  readonly wait: (ms: number) => Promise<boolean>;
  /** Writes one piece, waiting for the socket to drain; false when the turn stopped. */
  readonly write: (chunk: string | Buffer) => Promise<boolean>;
}

class Tracker {
  connections = 0;
  requests = 0;
  clientGone = false;
  closing = false;
  private sentByClosed = 0;
  readonly sockets = new Set<Socket>();

  add(socket: Socket): void {
    this.connections++;
    this.sockets.add(socket);
    socket.on('close', () => {
      this.sockets.delete(socket);
      this.sentByClosed += socket.bytesWritten;
    });
  }

  get stats(): HostileStats {
    const self = this;
    return {
      get connections() {
        return self.connections;
      },
      get requests() {
        return self.requests;
      },
      get bytesSent() {
        let n = self.sentByClosed;
        for (const socket of self.sockets) n += socket.bytesWritten;
        return n;
      },
      get open() {
        return self.sockets.size;
      },
      get clientGone() {
        return self.clientGone;
      },
    };
  }
}

async function listen(server: Server, tracker: Tracker): Promise<HostileServer> {
  server.on('connection', (socket: Socket) => tracker.add(socket));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    tracker.closing = true;
    closing ??= new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const socket of tracker.sockets) socket.destroy();
    });
    return closing;
  };
  const stats = tracker.stats;
  return { url: `http://127.0.0.1:${port}`, port, stats, close, [Symbol.asyncDispose]: close };
}

/**
 * An HTTP server on 127.0.0.1, port 0, whose every request is answered by `respond`. A client
 * that goes away stops its turn (and sets `clientGone`); `close()` destroys every socket.
 */
export function startHttpHostile(respond: (turn: Turn) => Promise<void>): Promise<HostileServer> {
  const tracker = new Tracker();
  const server = createHttpServer({ keepAliveTimeout: 0, requestTimeout: 0 }, (req, res) => {
    tracker.requests++;
    let stopped = false;
    const timers = new Set<ReturnType<typeof setTimeout>>();
    const wakers = new Set<() => void>();
    const stop = () => {
      if (stopped) return;
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
      for (const wake of wakers) wake();
    };
    res.on('close', () => {
      if (!res.writableFinished && !tracker.closing) tracker.clientGone = true;
      stop();
    });
    const isStopped = () => stopped || tracker.closing || res.destroyed;
    const wait = (ms: number) =>
      new Promise<boolean>((resolve) => {
        if (isStopped()) return resolve(false);
        const wake = () => resolve(false);
        const timer = setTimeout(() => {
          timers.delete(timer);
          wakers.delete(wake);
          resolve(!isStopped());
        }, ms);
        timers.add(timer);
        wakers.add(wake);
      });
    const write = async (chunk: string | Buffer) => {
      if (isStopped()) return false;
      if (res.write(chunk)) return !isStopped();
      await new Promise<void>((resolve) => {
        const done = () => {
          res.off('drain', done);
          wakers.delete(done);
          resolve();
        };
        res.on('drain', done);
        wakers.add(done);
      });
      return !isStopped();
    };
    respond({ req, res, stopped: isStopped, wait, write }).catch(() => res.destroy());
  });
  return listen(server, tracker);
}

/**
 * A TCP server on 127.0.0.1, port 0, that accepts connections, reads and discards what they send,
 * and never writes a byte: no status line, no headers. A client that hangs up sets `clientGone`.
 */
export function startSilentHostile(): Promise<HostileServer> {
  const tracker = new Tracker();
  const server = createNetServer((socket) => {
    socket.on('data', () => {
      // The request is read (so the client's write completes) and ignored.
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      if (!tracker.closing) tracker.clientGone = true;
    });
  });
  return listen(server, tracker);
}
