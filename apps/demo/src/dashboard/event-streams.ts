/**
 * The `/events` clients of the dashboard: server-sent events, with a bound on what the server
 * holds for them. A client that stops reading (a suspended laptop, a stalled proxy) must not make
 * the server queue every frame in memory, and clients must not be able to open streams without end.
 */
import type http from 'node:http';

export interface EventStreamLimits {
  /** Concurrent `/events` clients; one more is answered 503. */
  maxClients: number;
  /** A client whose buffered frames have not drained for this long is disconnected (ms). */
  stallMs: number;
}

export const DEFAULT_EVENT_LIMITS: EventStreamLimits = { maxClients: 32, stallMs: 30_000 };

interface Client {
  readonly res: http.ServerResponse;
  /** `write()` returned false: frames are skipped until the socket drains. */
  blocked: boolean;
  /** A frame was skipped: the client gets the whole history again once it drains. */
  missed: boolean;
  stall: NodeJS.Timeout | undefined;
}

function sse(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

export class EventStreams {
  readonly #clients = new Set<Client>();
  readonly #limits: EventStreamLimits;
  readonly #history: () => unknown;

  /** @param history the frames a new (or a caught-up) client starts from */
  constructor(history: () => unknown, limits: Partial<EventStreamLimits> = {}) {
    this.#history = history;
    this.#limits = { ...DEFAULT_EVENT_LIMITS, ...limits };
  }

  get size(): number {
    return this.#clients.size;
  }

  /** Answers one `/events` request: the history, then every frame, or 503 when full. */
  accept(res: http.ServerResponse): void {
    if (this.#clients.size >= this.#limits.maxClients) {
      res.writeHead(503, { 'content-type': 'text/plain', 'retry-after': '10' });
      res.end(`too many /events clients (at most ${this.#limits.maxClients})\n`);
      return;
    }
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    });
    const client: Client = { res, blocked: false, missed: false, stall: undefined };
    this.#clients.add(client);
    res.on('close', () => {
      clearTimeout(client.stall);
      this.#clients.delete(client);
    });
    res.on('drain', () => {
      clearTimeout(client.stall);
      client.blocked = false;
      // The page draws its timeline from the frames it holds: a gap would squeeze time, so it
      // starts over from the history instead (its `history` handler replaces the timeline).
      if (client.missed) {
        client.missed = false;
        this.#write(client, sse('history', this.#history()));
      }
    });
    this.#write(client, sse('history', this.#history()));
  }

  /** Sends one frame to every client that is keeping up; serialized once for all. */
  broadcast(frame: unknown): void {
    if (this.#clients.size === 0) return;
    const text = sse('frame', frame);
    for (const client of this.#clients) {
      if (client.blocked) client.missed = true;
      else this.#write(client, text);
    }
  }

  /** Ends every stream (the dashboard is closing). */
  closeAll(): void {
    for (const { res } of this.#clients) res.end();
  }

  #write(client: Client, text: string): void {
    // Ended or destroyed, its 'close' not yet emitted: a write now would be an 'error' event.
    if (client.res.writableEnded || client.res.destroyed) return;
    if (client.res.write(text)) return;
    // The socket's buffer is past its high-water mark: what this client holds is now bounded by
    // that mark plus this one write, until it reads again or is dropped.
    client.blocked = true;
    clearTimeout(client.stall);
    client.stall = setTimeout(() => client.res.destroy(), this.#limits.stallMs);
    client.stall.unref();
  }
}
