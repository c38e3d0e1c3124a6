import type { Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { ListenError, SimClosedError } from '../errors';
import type { Life } from './life';

/**
 * The listening side of the simulator: listen, stop (refusing connections), listen again on the
 * same port, a timed refusal, and close. It tracks sockets so stopping drops them all.
 */
export class Listener {
  listening = false;
  closed = false;
  connections = 0;
  private readonly sockets = new Set<Socket>();
  /** Listens started and not yet settled: close() waits for them. */
  private readonly listens = new Set<Promise<void>>();
  private refuseTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly server: Server,
    readonly host: string,
    public port: number,
    private readonly lives: Set<Life>,
  ) {
    server.on('connection', (socket: Socket) => {
      this.connections++;
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  listen(): Promise<void> {
    const { server } = this;
    const attempt = new Promise<void>((resolve, reject) => {
      const onError = (error: unknown) => {
        server.off('listening', onListening);
        reject(new ListenError(this.host, this.port, error));
      };
      const onListening = () => {
        server.off('error', onError);
        this.port = (server.address() as AddressInfo).port;
        if (this.closed) {
          // close() ran while this listen (restart(), or the end of a refuse fault) was on its
          // way: the server must not listen again after close().
          server.close(() => reject(new SimClosedError('restart')));
          return;
        }
        this.listening = true;
        resolve();
      };
      server.once('error', onError);
      server.once('listening', onListening);
      server.listen(this.port, this.host);
    });
    this.listens.add(attempt);
    const settled = () => {
      this.listens.delete(attempt);
    };
    attempt.then(settled, settled);
    return attempt;
  }

  private dropConnections(): void {
    // Dropped first: each request is counted `aborted` now, before its socket goes, so stop() and
    // close() resolve with final counts and without waiting for the clients to see the drop.
    for (const life of [...this.lives]) life.drop();
    this.server.closeAllConnections();
    for (const socket of this.sockets) socket.destroy();
  }

  private stopListening(): Promise<void> {
    if (!this.listening) return Promise.resolve();
    this.listening = false;
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.dropConnections();
    });
  }

  private cancelRefusal(): void {
    if (this.refuseTimer !== undefined) clearTimeout(this.refuseTimer);
    this.refuseTimer = undefined;
  }

  /** Stops listening for `ms` (connections are refused), then listens again on the same port. */
  refuse(ms: number): void {
    void this.stopListening().then(() => {
      if (this.closed) return;
      this.cancelRefusal();
      this.refuseTimer = setTimeout(() => {
        this.refuseTimer = undefined;
        if (!this.closed && !this.listening) void this.listen().catch(() => undefined);
      }, ms);
      this.refuseTimer.unref?.();
    });
  }

  async stop(): Promise<void> {
    this.cancelRefusal();
    await this.stopListening();
  }

  async restart(): Promise<void> {
    if (this.closed) throw new SimClosedError('restart');
    this.cancelRefusal();
    if (!this.listening) await this.listen();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.cancelRefusal();
    if (this.listening) await this.stopListening();
    else this.dropConnections();
    await Promise.allSettled([...this.listens]);
  }
}
