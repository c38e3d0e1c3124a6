// Test helpers: load the recorded Ollama exchanges and replay them from a real node:http server on
// 127.0.0.1:0. Not part of the published package (src/**/__fixtures__ is excluded from files).
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import {
  type Handler,
  type HostileServer,
  listenTracked,
  type RouteServer,
  startRouteServer,
  type TrackedListener,
} from '@x/internal/testing';
import { recordedFixturesDir } from '@x/ollama-sim';
import { afterEach, vi } from 'vitest';
import type { OllamaProviderOptions } from '../options';
import { createOllamaProvider, type OllamaProvider } from '../provider';
import type { ChatRequest, StreamChunk } from '../types';

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

export type { Handler } from '@x/internal/testing';
export type TestServer = RouteServer;

/**
 * Starts a server. `routes` maps `METHOD /path` (or `/path`) to a handler, a fixture, or a list of
 * them consumed in order (the last one repeats).
 */
export function startServer(
  routes: Record<string, Handler | Fixture | Array<Handler | Fixture>>,
): Promise<TestServer> {
  const handlers: Record<string, Handler | Handler[]> = {};
  for (const [key, route] of Object.entries(routes)) {
    handlers[key] = Array.isArray(route) ? route.map(asHandler) : asHandler(route);
  }
  return startRouteServer(handlers);
}

function asHandler(entry: Handler | Fixture): Handler {
  return typeof entry === 'function' ? entry : (_req, res) => replay(entry, res);
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

/**
 * The lists a test file's tests put their servers and providers in: after each test the real
 * clock is back and everything in them is closed, the providers first. Call it at the top of a
 * test file.
 */
export function closedAfterEach<S extends { close(): Promise<unknown> }>(): {
  servers: S[];
  providers: OllamaProvider[];
} {
  const servers: S[] = [];
  const providers: OllamaProvider[] = [];
  afterEach(async () => {
    vi.useRealTimers();
    await Promise.all(providers.splice(0).map((p) => p.close()));
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });
  return { servers, providers };
}

/**
 * For a test file whose servers leave calls hanging: after each test its providers are destroyed
 * (`close()` would wait out a hanging request's deadline), then its servers closed, their sockets
 * cut. `listen(handler)` starts a raw node:http server on 127.0.0.1 and resolves its URL.
 */
export function destroyedAfterEach(): {
  providers: OllamaProvider[];
  listen: (handler: http.RequestListener) => Promise<string>;
} {
  const providers: OllamaProvider[] = [];
  const servers: TrackedListener[] = [];
  afterEach(async () => {
    await Promise.all(providers.splice(0).map((p) => p.destroy()));
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });
  async function listen(handler: http.RequestListener): Promise<string> {
    const server = await listenTracked(http.createServer(handler));
    servers.push(server);
    return server.url;
  }
  return { providers, listen };
}

/**
 * `setup(routes, options)`: a server answering `routes` (and /api/show with fixture 05 unless they
 * say otherwise) and a provider on it that retries after 1-2 ms, both closed after each test.
 */
export function fixtureSetup() {
  const { servers, providers } = closedAfterEach<TestServer>();
  async function setup(
    routes: Parameters<typeof startServer>[0],
    options: OllamaProviderOptions = {},
  ): Promise<{ server: TestServer; provider: OllamaProvider }> {
    const server = await startServer({
      '/api/show': loadFixture('05-show-llama3.2.json'),
      ...routes,
    });
    servers.push(server);
    const provider = createOllamaProvider({
      baseUrl: server.url,
      retry: { baseDelayMs: 1, maxDelayMs: 2 },
      ...options,
    });
    providers.push(provider);
    return { server, provider };
  }
  return { servers, providers, setup };
}

/**
 * `against(start, options)`: a hostile server from `@x/internal/testing` and a provider on it,
 * both closed after each test.
 */
export function hostileSetup() {
  const { servers, providers } = closedAfterEach<{ close(): Promise<unknown> }>();
  async function against(
    start: () => Promise<HostileServer>,
    options: OllamaProviderOptions = {},
  ): Promise<{ server: HostileServer; provider: OllamaProvider }> {
    const server = await start();
    servers.push(server);
    // Tokens off: these servers answer only the request under test, not /api/show or /api/ps.
    const provider = createOllamaProvider({ baseUrl: server.url, tokens: false, ...options });
    providers.push(provider);
    return { server, provider };
  }
  return { servers, providers, against };
}

/** The chat requests a server received (the provider also asks /api/show once per model). */
export const chats = (server: TestServer) => server.requests.filter((r) => r.path === '/api/chat');

export const ask = (
  content = 'Why is the sky blue?',
  extra: Partial<ChatRequest> = {},
): ChatRequest => ({
  model: 'llama3.2',
  messages: [{ role: 'user', content }],
  ...extra,
});

/** Every chunk of a stream, read to its end. */
export async function collect(iterable: AsyncIterable<StreamChunk>): Promise<StreamChunk[]> {
  const out: StreamChunk[] = [];
  for await (const chunk of iterable) out.push(chunk);
  return out;
}
