// Test helpers: load the recorded Ollama exchanges and replay them from a real node:http server on
// 127.0.0.1:0. Not part of the published package (src/**/__fixtures__ is excluded from files).
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { type Handler, type RouteServer, startRouteServer } from '@x/internal/testing';
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
