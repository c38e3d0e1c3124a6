// Test helpers: a real node:http server on 127.0.0.1:0 speaking OpenAI's wire (chat.completion,
// chat.completion.chunk events, [DONE], error bodies). Not part of the published package
// (src/**/__fixtures__ is excluded from files).
import { type Handler, type RouteServer, startRouteServer } from '@x/internal/testing';

export type { Handler, Received } from '@x/internal/testing';
export { until } from '@x/internal/testing';
export type TestServer = RouteServer;

/**
 * Starts a server whose `url` is its `/v1` base. `routes` maps `METHOD /path` (or `/path`) to a
 * handler, or a list of handlers consumed in order (the last one repeats).
 */
export async function startServer(
  routes: Record<string, Handler | Handler[]>,
): Promise<TestServer> {
  const server = await startRouteServer(routes);
  return { ...server, url: `${server.url}/v1` };
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

/** Answers a chat completion whose content is `Hello! How can I help?`. */
export const hello: Handler = json(200, completion({ content: 'Hello! How can I help?' }));

/** Answers `/embeddings` with one vector of floats per input, whatever was asked. */
export const vectors: Handler = (req, res, received) => {
  const input = received.json?.input;
  const n = Array.isArray(input) && typeof input[0] !== 'number' ? input.length : 1;
  const data = Array.from({ length: n }, (_, index) => ({
    object: 'embedding',
    index,
    embedding: [0.5, -0.25],
  }));
  return json(200, { object: 'list', data, model: 'e', usage: { prompt_tokens: 1 } })(
    req,
    res,
    received,
  );
};

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
