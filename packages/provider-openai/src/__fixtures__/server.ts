// Test helpers: a real node:http server on 127.0.0.1:0 speaking OpenAI's wire (chat.completion,
// chat.completion.chunk events, [DONE], error bodies). Not part of the published package
// (src/**/__fixtures__ is excluded from files).
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

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
  requests: Received[];
  /** Requests whose response was closed before it ended (client aborts). */
  aborted: () => number;
  openSockets: () => number;
  close: () => Promise<void>;
}

/**
 * Starts a server. `routes` maps `METHOD /path` (or `/path`) to a handler, or a list of handlers
 * consumed in order (the last one repeats).
 */
export async function startServer(
  routes: Record<string, Handler | Handler[]>,
): Promise<TestServer> {
  const requests: Received[] = [];
  const counters = new Map<string, number>();
  let aborted = 0;
  const sockets = new Set<Socket>();
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
      let handler: Handler;
      if (Array.isArray(route)) {
        const n = counters.get(key) ?? 0;
        counters.set(key, n + 1);
        handler = route[Math.min(n, route.length - 1)]!;
      } else handler = route;
      void handler(req, res, received);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
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

/**
 * Yields to the event loop until `check()` is true: real I/O keeps flowing, so it works under fake
 * timers. Gives up after `limitMs` of real time (process.hrtime is never faked).
 */
export async function until(check: () => boolean, limitMs = 5_000): Promise<void> {
  const start = process.hrtime.bigint();
  while (!check()) {
    if (Number(process.hrtime.bigint() - start) / 1e6 > limitMs) {
      throw new Error('condition not reached');
    }
    await new Promise((r) => setImmediate(r));
  }
}

export const MODEL = 'gpt-4o-mini';
const ID = 'chatcmpl-BK7oQgNw8h3Rz2QeTfX9pL1c';
const CREATED = 1_764_115_200;
const FINGERPRINT = 'fp_560af6e559';

/** The usage object as OpenAI writes it. */
export function usage(prompt = 19, completion = 10, extra: Record<string, unknown> = {}) {
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: 0,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
    ...extra,
  };
}

/** A `chat.completion` object. */
export function completion(
  message: Record<string, unknown>,
  extra: Record<string, unknown> = {},
  finish = 'stop',
): Record<string, unknown> {
  return {
    id: ID,
    object: 'chat.completion',
    created: CREATED,
    model: `${MODEL}-2024-07-18`,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: null, refusal: null, annotations: [], ...message },
        logprobs: null,
        finish_reason: finish,
      },
    ],
    usage: usage(),
    service_tier: 'default',
    system_fingerprint: FINGERPRINT,
    ...extra,
  };
}

/** One `chat.completion.chunk` event with `delta`, as `data: ...\n\n`. */
export function chunk(
  delta: Record<string, unknown>,
  finish: string | null = null,
  extra: Record<string, unknown> = {},
): string {
  return `data: ${JSON.stringify({
    id: ID,
    object: 'chat.completion.chunk',
    created: CREATED,
    model: `${MODEL}-2024-07-18`,
    service_tier: 'default',
    system_fingerprint: FINGERPRINT,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    usage: null,
    ...extra,
  })}\n\n`;
}

/** The last event `stream_options.include_usage` asks for: empty `choices`, the usage. */
export function usageChunk(prompt = 19, completion = 10): string {
  return `data: ${JSON.stringify({
    id: ID,
    object: 'chat.completion.chunk',
    created: CREATED,
    model: `${MODEL}-2024-07-18`,
    service_tier: 'default',
    system_fingerprint: FINGERPRINT,
    choices: [],
    usage: usage(prompt, completion),
  })}\n\n`;
}

export const DONE = 'data: [DONE]\n\n';

/** The events of a streamed answer of `words`, with usage and `[DONE]`. */
export function streamOf(...words: string[]): string[] {
  return [
    chunk({ role: 'assistant', content: '', refusal: null }),
    ...words.map((word) => chunk({ content: word })),
    chunk({}, 'stop'),
    usageChunk(),
    DONE,
  ];
}

/** OpenAI's error body. */
export function errorBody(
  message: string,
  type: string,
  code: string | null = null,
  param: string | null = null,
): string {
  return JSON.stringify({ error: { message, type, param, code } });
}

/** Answers JSON with a status and headers. */
export function json(status: number, body: unknown, headers: Record<string, string> = {}): Handler {
  return (_req, res) => {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(text);
  };
}

/** Answers server-sent events, each write leaving as its own TCP segment. */
export function sse(writes: Array<string | Buffer>, headers: Record<string, string> = {}): Handler {
  return async (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', ...headers });
    for (const write of writes) {
      res.write(write);
      await new Promise((r) => setImmediate(r));
    }
    res.end();
  };
}

/** Splits text's UTF-8 bytes into pieces of `size` bytes (cutting inside characters too). */
export function bytesOf(text: string, size: number): Buffer[] {
  const bytes = Buffer.from(text, 'utf8');
  const out: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size));
  return out;
}
