import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach } from 'vitest';
import type { BaseChatRequest } from '../index';
import { ask, cores } from './line-core';

/** A server of the shutdown tests: what it received, its sockets. */
export interface ModelServer {
  url: string;
  /** Requests received, by model. */
  received: string[];
  /** Sockets open now. */
  open: () => number;
  /** Sockets closed so far. */
  closed: () => number;
  /** With `holdSlow`: sends the rest of every `slow` answer, past and future. */
  release: () => void;
}

export interface ModelServerOptions {
  /**
   * `slow` sends its rest only on `release()`, not after 100 ms: a test that must act while the
   * answer is being read does so before releasing it, whatever the machine's load.
   */
  holdSlow?: boolean;
}

const servers: http.Server[] = [];

/**
 * After each test of the calling file: destroys every provider `lineCore()` made, then closes
 * every server started, and their sockets.
 */
export function destroyAfterEach(): void {
  afterEach(async () => {
    await Promise.all(cores.splice(0).map((c) => c.destroy()));
    await Promise.all(
      servers
        .splice(0)
        .map((s) => new Promise((resolve) => s.close(resolve).closeAllConnections())),
    );
  });
}

/**
 * Answers by the request's model: `m` in full, `late` in full after 100 ms, `one` with one line
 * and then nothing, `quiet` with its headers and then nothing (a server stalled before its first
 * chunk), `slow` with one line and the rest after 100 ms (or on `release()`, see `holdSlow`),
 * `unavailable` with a 503, `busy` with a 503 and `Retry-After: 60`, `flaky` with a 503 and then
 * never again, `progress` with a line every 20 ms that never ends (a long model download); any
 * other model is never answered.
 */
export async function startModelServer(options: ModelServerOptions = {}): Promise<ModelServer> {
  let release!: () => void;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  const received: string[] = [];
  const sockets = new Set<Socket>();
  let closed = 0;
  const server = http.createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => {
      body += chunk;
    });
    req.on('end', () => {
      const model = body === '' ? req.url! : (JSON.parse(body) as { model: string }).model;
      received.push(model);
      if (model === 'm') {
        res.writeHead(200, { 'content-type': 'application/x-ndjson' });
        res.end('{"delta":"hi"}\n{"done":true}\n');
      } else if (model === 'quiet') {
        res.writeHead(200, { 'content-type': 'application/x-ndjson' });
        res.flushHeaders();
      } else if (model === 'one') {
        res.writeHead(200, { 'content-type': 'application/x-ndjson' });
        res.write('{"delta":"first"}\n');
      } else if (model === 'progress') {
        res.writeHead(200, { 'content-type': 'application/x-ndjson' });
        let part = 0;
        const timer = setInterval(() => res.write(`{"delta":"part ${part++}"}\n`), 20);
        res.on('close', () => clearInterval(timer));
      } else if (model === 'late') {
        setTimeout(() => {
          res.writeHead(200, { 'content-type': 'application/x-ndjson' });
          res.end('{"delta":"late"}\n{"done":true}\n');
        }, 100);
      } else if (model === 'slow') {
        res.writeHead(200, { 'content-type': 'application/x-ndjson' });
        res.write('{"delta":"sl"}\n');
        const rest = () => res.end('{"delta":"ow"}\n{"done":true}\n');
        if (options.holdSlow === true) void released.then(rest);
        else setTimeout(rest, 100);
      } else if (
        model === 'unavailable' ||
        (model === 'flaky' && received.filter((m) => m === 'flaky').length === 1)
      ) {
        res.writeHead(503, { 'content-type': 'application/json' });
        res.end('{"error":"unavailable"}');
      } else if (model === 'busy') {
        res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '60' });
        res.end('{"error":"busy"}');
      }
    });
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => {
      sockets.delete(socket);
      closed++;
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    open: () => sockets.size,
    closed: () => closed,
    release,
  };
}

/** The test chat request for `model`, with `signal` when given. */
export const to = (model: string, signal?: AbortSignal): BaseChatRequest => ({
  ...ask,
  model,
  ...(signal === undefined ? {} : { signal }),
});

/** Settles with what `promise` rejects with (or resolves to). */
export const outcome = (promise: Promise<unknown>): Promise<unknown> =>
  promise.catch((error: unknown) => error);
