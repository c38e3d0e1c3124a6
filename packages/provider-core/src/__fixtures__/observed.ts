/** A small provider on the core and its server, for the observability tests (metrics, traces, audit, logs). */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type Accumulator,
  type BaseChatRequest,
  type BaseChatResponse,
  type CoreConfig,
  type CoreOptions,
  chatResponse,
  createErrorKit,
  EMPTY_PARTIAL,
  mapHttpStatus,
  type Operation,
  ProviderCore,
  type StreamChunk,
  type WireMessage,
} from '../index';

/**
 * The made-up API's answer: NDJSON `{ delta }` lines, then `{ done: true, in, out }`; or one
 * `{ text, in, out }`. The last may name the answer's `model` and its finish `reason`.
 */
export class Answer implements Accumulator<StreamChunk, BaseChatResponse> {
  text = '';
  chunks = 0;
  done = false;
  tokens: { in: number; out: number; model?: string; reason?: string } = { in: 0, out: 0 };
  add({ data }: WireMessage): StreamChunk | undefined {
    const line = JSON.parse(data);
    this.chunks++;
    if (line.done) {
      Object.assign(this, { done: true, tokens: line });
      return undefined;
    }
    this.text += line.delta;
    return { content: line.delta, thinking: undefined, toolCalls: undefined, done: false, response: undefined };
  }
  addWhole(body: string): void {
    const answer = JSON.parse(body);
    Object.assign(this, { text: answer.text, done: true, tokens: answer });
  }
  partial() {
    return { ...EMPTY_PARTIAL, content: this.text, chunks: this.chunks };
  }
  build() {
    const { in: promptTokens, out: completionTokens, model = '', reason = 'stop' } = this.tokens;
    return chatResponse({ content: this.text, model, promptTokens, completionTokens, finishReason: reason });
  }
}

const CHAT: Operation<BaseChatRequest, BaseChatResponse> = {
  name: 'chat',
  endpoint: '/v1/reply',
  checksContext: false,
  model: (request) => request.model,
  cacheKey: ({ model, messages, temperature }) => ({ model, messages, temperature }),
  body: ({ model, messages }, stream) => ({ model, prompt: messages.at(-1)?.content, stream }),
  accumulator: () => new Answer(),
  finish: (response, _prepared, request) => {
    if (response.model === '') response.model = `${request.model}-0613`;
  },
};

/** A provider of the made-up API with the given options (no cache unless asked, no limiter). */
export function observedProvider(
  baseUrl: string,
  options: CoreOptions = {},
  config: Partial<CoreConfig> = {},
) {
  const origin = { provider: 'reply', label: 'Reply' };
  const core = new ProviderCore({
    identity: { id: 'reply', label: 'Reply', pkg: 'provider-reply', tokens: 'openai' },
    baseUrl,
    options: { cache: false, rateLimit: false, ...options },
    kit: createErrorKit(origin),
    httpError: mapHttpStatus(origin),
    auth: (key) => ({ authorization: `Bearer ${key}` }),
    local: false,
    defaults: { requestsPerSecond: 10, breaker: {} },
    ...config,
  });
  return {
    core,
    complete: (request: BaseChatRequest) => core.complete(CHAT, request),
    stream: (request: BaseChatRequest) =>
      core.stream(CHAT, { framing: 'ndjson', accept: 'application/x-ndjson' }, request),
  };
}

export const ask = (model = 'm', content = 'hello there'): BaseChatRequest => ({
  model,
  temperature: 0,
  messages: [{ role: 'user', content }],
});

export interface ReplyServer {
  url: string;
  /** The status of the next answers (200: an answer). */
  status: number;
  /** Fields added to the last line of each answer (`model`, `reason`), from the request's headers. */
  answerFields?: ((headers: http.IncomingHttpHeaders) => Record<string, unknown>) | undefined;
  close(): Promise<void>;
}

/** The made-up API on 127.0.0.1: `you said <prompt>`, buffered or as NDJSON. */
export async function startReplyServer(): Promise<ReplyServer> {
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      if (reply.status !== 200) {
        res.writeHead(reply.status, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: 'unavailable' }));
        return;
      }
      const { prompt, stream } = JSON.parse(body) as { prompt: string; stream: boolean };
      const words = `you said ${prompt}`.split(' ');
      const fields = reply.answerFields?.(req.headers);
      if (!stream) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ text: words.join(' '), in: 4, out: words.length, ...fields }));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      for (const [i, word] of words.entries()) {
        res.write(`${JSON.stringify({ delta: i === 0 ? word : ` ${word}` })}\n`);
      }
      res.end(`${JSON.stringify({ done: true, in: 4, out: words.length, ...fields })}\n`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const reply: ReplyServer = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    status: 200,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  return reply;
}
