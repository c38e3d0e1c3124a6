// Test helpers: load the recorded Ollama exchanges and replay them from a real node:http server on
// 127.0.0.1:0. Not part of the published package (src/**/__fixtures__ is excluded from files).
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { recordedFixturesDir } from '@x/ollama-sim';

export interface Fixture {
  name: string;
  request: { method: string; path: string; headers: Record<string, string>; body: unknown };
  response: {
    status: number;
    headers: Record<string, string>;
    body?: string;
    writes?: string[];
    writes_base64?: string[];
    write_delays_ms?: number[];
  };
}

/** A recorded Ollama exchange; the simulator owns them (`@x/ollama-sim`'s `recordedFixturesDir`). */
export function loadFixture(file: string): Fixture {
  return JSON.parse(readFileSync(join(recordedFixturesDir, file), 'utf8')) as Fixture;
}

export interface Received {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  json: Record<string, unknown> | undefined;
}

export type Handler = (
  req: http.IncomingMessage,
  res: http.ServerResponse,
  received: Received,
) => void | Promise<void>;

export interface TestServer {
  url: string;
  port: number;
  requests: Received[];
  /** Requests whose response was closed before it ended (client aborts). */
  aborted: () => number;
  /** Sockets open right now. */
  openSockets: () => number;
  close: () => Promise<void>;
}

/**
 * Starts a server. `routes` maps `METHOD /path` (or `/path`) to a handler, a fixture, or a list of
 * them consumed in order (the last one repeats).
 */
export async function startServer(
  routes: Record<string, Handler | Fixture | Array<Handler | Fixture>>,
): Promise<TestServer> {
  const requests: Received[] = [];
  const counters = new Map<string, number>();
  let aborted = 0;
  const sockets = new Set<import('node:net').Socket>();
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
      const received: Received = { method: req.method ?? 'GET', path, headers: req.headers, body, json };
      requests.push(received);
      res.on('close', () => {
        if (!res.writableFinished) aborted++;
      });
      const key = routes[`${received.method} ${path}`] !== undefined ? `${received.method} ${path}` : path;
      const route = routes[key];
      if (route === undefined) {
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end('404 page not found');
        return;
      }
      let entry: Handler | Fixture;
      if (Array.isArray(route)) {
        const n = counters.get(key) ?? 0;
        counters.set(key, n + 1);
        entry = route[Math.min(n, route.length - 1)]!;
      } else entry = route;
      if (typeof entry === 'function') void entry(req, res, received);
      else void replay(entry, res);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    aborted: () => aborted,
    openSockets: () => sockets.size,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Replays a fixture byte for byte; `writes` become separate socket writes (chunked). */
export async function replay(fixture: Fixture, res: http.ServerResponse): Promise<void> {
  const { response } = fixture;
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(response.headers)) {
    if (k.toLowerCase() !== 'content-length') headers[k] = v;
  }
  const writes =
    response.writes_base64?.map((b) => Buffer.from(b, 'base64')) ??
    response.writes?.map((w) => Buffer.from(w, 'utf8'));
  if (writes === undefined) {
    const body = Buffer.from(response.body ?? '', 'utf8');
    headers['Content-Length'] = String(body.length);
    res.writeHead(response.status, headers);
    res.end(body);
    return;
  }
  res.writeHead(response.status, headers);
  for (let i = 0; i < writes.length; i++) {
    const delay = response.write_delays_ms?.[i] ?? 0;
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));
    res.write(writes[i]);
    // Let each write leave as its own TCP segment.
    await new Promise((r) => setImmediate(r));
  }
  res.end();
}

/** Splits a string's UTF-8 bytes at the given offsets into a `writes_base64` fixture response. */
export function splitFixture(fixture: Fixture, offsets: number[]): Fixture {
  const bytes = Buffer.from(fixture.response.body ?? '', 'utf8');
  const cuts = [...new Set(offsets.filter((o) => o > 0 && o < bytes.length))].sort((a, b) => a - b);
  const parts: string[] = [];
  let start = 0;
  for (const cut of [...cuts, bytes.length]) {
    parts.push(bytes.subarray(start, cut).toString('base64'));
    start = cut;
  }
  const { body: _body, ...rest } = fixture.response;
  return { ...fixture, response: { ...rest, writes_base64: parts } };
}

/** An NDJSON chat chunk as Ollama writes it. */
export function chatChunk(content: string, extra: Record<string, unknown> = {}): string {
  return `${JSON.stringify({
    model: 'llama3.2',
    created_at: '2026-08-24T09:15:02.368321167Z',
    message: { role: 'assistant', content },
    done: false,
    ...extra,
  })}\n`;
}

/** The final chunk with counters. */
export function doneChunk(extra: Record<string, unknown> = {}): string {
  return chatChunk('', {
    done: true,
    done_reason: 'stop',
    total_duration: 163766404,
    load_duration: 17254459,
    prompt_eval_count: 31,
    prompt_eval_duration: 28315708,
    eval_count: 14,
    eval_duration: 110130112,
    ...extra,
  });
}
