import diagnosticsChannel from 'node:diagnostics_channel';
import { readFileSync } from 'node:fs';
import { errorTexts, expectNoSecret, until, watchOutputs } from '@x/internal/testing';
import { createRateLimiter } from '@x/rate-limit';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  chatChunk,
  doneChunk,
  type Handler,
  loadFixture,
  splitFixture,
  startServer,
  type TestServer,
} from './__fixtures__/server';
import {
  isContextOverflowError,
  isIncompleteStreamError,
  isModelNotFoundError,
  isOllamaApiError,
  isOllamaConnectionError,
  isOllamaStreamError,
  isOllamaTimeoutError,
  isServerBusyError,
  ProviderClosedError,
} from './errors';
import type { OllamaProviderOptions } from './options';
import { createOllamaProvider, type OllamaProvider } from './provider';
import type { ChatRequest, StreamChunk } from './types';

const servers: TestServer[] = [];
const providers: OllamaProvider[] = [];

afterEach(async () => {
  vi.useRealTimers();
  await Promise.all(providers.splice(0).map((p) => p.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

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

/** The chat requests a server received (the provider also asks /api/show once per model). */
const chats = (server: TestServer) => server.requests.filter((r) => r.path === '/api/chat');

const ask = (content = 'Why is the sky blue?', extra: Partial<ChatRequest> = {}): ChatRequest => ({
  model: 'llama3.2',
  messages: [{ role: 'user', content }],
  ...extra,
});

async function collect(iterable: AsyncIterable<StreamChunk>): Promise<StreamChunk[]> {
  const out: StreamChunk[] = [];
  for await (const chunk of iterable) out.push(chunk);
  return out;
}

const chunked =
  (...writes: string[]): Handler =>
  async (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    for (const w of writes) {
      res.write(w);
      await new Promise((r) => setImmediate(r));
    }
    res.end();
  };

describe('OllamaProvider.complete', () => {
  it('maps fixture 01 to content, usage and timings in ms when the server answers stream:false', async () => {
    const { server, provider } = await setup({
      '/api/chat': loadFixture('01-chat-nonstream.json'),
    });
    const response = await provider.complete(
      ask('Why is the sky blue? Answer in one sentence.', { keepAlive: '10m' }),
    );
    expect(response.content).toMatch(/^The sky looks blue because/);
    expect(response.message).toEqual({ role: 'assistant', content: response.content });
    expect(response.finishReason).toBe('stop');
    expect(response.usage).toEqual({ promptTokens: 42, completionTokens: 31, totalTokens: 73 });
    expect(response.timings.totalMs).toBeCloseTo(1874.539125, 6);
    expect(response.timings.loadMs).toBeCloseTo(1252.871417, 6);
    expect(response.timings.promptEvalMs).toBeCloseTo(88.412, 6);
    expect(response.timings.evalMs).toBeCloseTo(520.913, 6);
    expect(response.timings.tokensPerSecond).toBeCloseTo((31 / 520913000) * 1e9, 6);
    expect(response.cached).toBe(false);
    expect(response.attempts).toBe(1);
    expect(response.toolCalls).toEqual([]);
    const sent = chats(server)[0]!;
    // complete() reads the answer as a stream (its deadlines then apply), and accepts a whole
    // JSON answer as well, as a proxy or an old server may send.
    expect(sent.json?.stream).toBe(true);
    expect(sent.json?.keep_alive).toBe('10m');
    expect(sent.headers['content-type']).toBe('application/json');
  });

  it("asks for a whole answer (stream: false) with completeAs: 'whole', mapped the same", async () => {
    const { server, provider } = await setup(
      { '/api/chat': loadFixture('01-chat-nonstream.json') },
      { completeAs: 'whole' },
    );
    const response = await provider.complete(ask());
    expect(chats(server)[0]!.json?.stream).toBe(false);
    expect(response).toMatchObject({ finishReason: 'stop', usage: { completionTokens: 31 } });
    expect(() => createOllamaProvider({ completeAs: 'halves' as never })).toThrow(
      /`completeAs` to be one of "stream", "whole"/,
    );
  });

  it('sends the request numCtx to Ollama as options.num_ctx, with or without token accounting', async () => {
    for (const tokens of [undefined, false] as const) {
      const { server, provider } = await setup(
        { '/api/chat': loadFixture('01-chat-nonstream.json') },
        { tokens, cache: false },
      );
      const response = await provider.complete(ask('Hi', { numCtx: 8192 }));
      expect(chats(server)[0]?.json?.options).toEqual({ num_ctx: 8192 });
      expect(response.numCtx).toBe(8192);
    }
  });

  it('returns tool calls with object arguments and finishReason tool_calls (fixture 14)', async () => {
    const { provider } = await setup({ '/api/chat': loadFixture('14-chat-tool-calls.json') });
    const response = await provider.complete(ask('What is the weather today in Paris?'));
    expect(response.toolCalls).toEqual([
      {
        id: 'call_5zq2m8vh',
        index: 0,
        name: 'get_current_weather',
        arguments: { location: 'Paris, FR', format: 'celsius' },
      },
    ]);
    expect(response.message.toolCalls).toEqual(response.toolCalls);
    expect(response.finishReason).toBe('tool_calls');
  });

  it('leaves absent counters undefined instead of 0', async () => {
    const body = `${JSON.stringify({ model: 'llama3.2', message: { role: 'assistant', content: 'hi' }, done: true, eval_count: 3 })}`;
    const { provider } = await setup({
      '/api/chat': (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(body);
      },
    });
    const response = await provider.complete(ask());
    expect(response.usage).toEqual({
      promptTokens: undefined,
      completionTokens: 3,
      totalTokens: undefined,
    });
    expect(response.timings.tokensPerSecond).toBeUndefined();
    expect(response.finishReason).toBeUndefined();
  });

  it('does not flag a low prompt_eval_count as truncation when the prompt is far below the window', async () => {
    // Ollama counts only new tokens when it reuses a cached prefix of the conversation.
    const history = 'An earlier turn of a long conversation. '.repeat(60);
    const { provider } = await setup({
      '/api/chat': (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
        res.end(
          JSON.stringify({
            model: 'llama3.2',
            message: { role: 'assistant', content: 'ok' },
            done: true,
            done_reason: 'stop',
            prompt_eval_count: 12,
            eval_count: 1,
          }),
        );
      },
    });
    const response = await provider.complete(ask(history));
    expect(response.estimatedPromptTokens).toBeGreaterThan(100);
    expect(response.truncated).toBe(false);
    expect(provider.stats().truncations).toBe(0);
  });

  it('throws ModelNotFoundError without retrying when the model is not pulled (fixture 10)', async () => {
    const { server, provider } = await setup({
      '/api/chat': loadFixture('10-chat-404-model-not-found.json'),
    });
    const error = await provider.complete(ask('hi', { model: 'llama3.3:70b' })).catch((e) => e);
    expect(isModelNotFoundError(error)).toBe(true);
    expect(error).toMatchObject({
      statusCode: 404,
      model: 'llama3.3:70b',
      retryable: false,
      code: 'X_PROVIDER_OLLAMA_MODEL_NOT_FOUND',
    });
    expect(chats(server)).toHaveLength(1);
  });

  it('throws a non-retryable OllamaApiError with the server text for a 400 (fixture 11)', async () => {
    const { server, provider } = await setup({
      '/api/chat': loadFixture('11-chat-400-bad-keep-alive.json'),
    });
    const error = await provider.complete(ask('hi')).catch((e) => e);
    expect(isOllamaApiError(error)).toBe(true);
    expect(error).toMatchObject({
      statusCode: 400,
      retryable: false,
      serverMessage: 'time: missing unit in duration "10"',
    });
    expect(chats(server)).toHaveLength(1);
  });

  it('retries a 503 server busy and succeeds when the server recovers (fixture 13)', async () => {
    const busy = loadFixture('13-chat-503-queue-full.json');
    const { server, provider } = await setup({
      '/api/chat': [busy, busy, loadFixture('01-chat-nonstream.json')],
    });
    const retries: unknown[] = [];
    provider.onRetry((e) => retries.push(e));
    const response = await provider.complete(ask());
    expect(response.attempts).toBe(3);
    expect(chats(server)).toHaveLength(3);
    expect(retries).toHaveLength(2);
    // attempts also counts the one /api/show call made for the context window.
    expect(provider.stats()).toMatchObject({ retries: 2, attempts: 4, successes: 1 });
  });

  it('throws ServerBusyError after the retries are spent', async () => {
    const { server, provider } = await setup({
      '/api/chat': loadFixture('13-chat-503-queue-full.json'),
    });
    const error = await provider.complete(ask()).catch((e) => e);
    expect(isServerBusyError(error)).toBe(true);
    expect(error.serverMessage).toBe(
      'server busy, please try again.  maximum pending requests exceeded',
    );
    expect(chats(server)).toHaveLength(3);
    expect(provider.stats().failuresByCode).toEqual({ X_PROVIDER_OLLAMA_SERVER_BUSY: 1 });
  });

  it('waits for Retry-After before retrying when the server sends one', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date', 'performance'] });
    const { server, provider } = await setup({
      '/api/chat': [
        (_req, res) => {
          res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '7' });
          res.end('{"error":"slow down"}');
        },
        loadFixture('01-chat-nonstream.json'),
      ],
    });
    const pending = provider.complete(ask());
    await until(() => chats(server).length === 1);
    await vi.advanceTimersByTimeAsync(6_900);
    await new Promise((r) => setImmediate(r));
    expect(chats(server)).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(200);
    await expect(pending).resolves.toMatchObject({ attempts: 2 });
  });

  it('does not retry a 500 that is a client mistake (bad option type)', async () => {
    const { server, provider } = await setup({
      '/api/chat': (_req, res) => {
        res.writeHead(500, { 'content-type': 'application/json; charset=utf-8' });
        res.end('{"error":"option \\"num_ctx\\" must be of type integer"}');
      },
    });
    const error = await provider.complete(ask()).catch((e) => e);
    expect(error).toMatchObject({ statusCode: 500, retryable: false });
    expect(chats(server)).toHaveLength(1);
  });

  it('keeps the breaker closed when 500s are client mistakes (bad option type)', async () => {
    const badOption: Handler = (_req, res) => {
      res.writeHead(500, { 'content-type': 'application/json; charset=utf-8' });
      res.end('{"error":"option \\"num_ctx\\" must be of type integer"}');
    };
    const { provider } = await setup({
      '/api/chat': [
        badOption,
        badOption,
        badOption,
        badOption,
        badOption,
        loadFixture('01-chat-nonstream.json'),
      ],
    });
    for (let i = 0; i < 5; i++) {
      await expect(provider.complete(ask(`bad ${i}`))).rejects.toMatchObject({ statusCode: 500 });
    }
    expect(provider.breaker?.state).toBe('closed');
    await expect(provider.complete(ask())).resolves.toMatchObject({ finishReason: 'stop' });
  });

  it('throws OllamaConnectionError after retrying when nothing listens', async () => {
    const { server } = await setup({});
    const url = server.url;
    await server.close();
    servers.length = 0;
    const provider = createOllamaProvider({ baseUrl: url, retry: { baseDelayMs: 1 } });
    providers.push(provider);
    const error = await provider.complete(ask()).catch((e) => e);
    expect(isOllamaConnectionError(error)).toBe(true);
    expect(error.causeCode).toBe('ECONNREFUSED');
    expect(provider.stats()).toMatchObject({ attempts: 3, retries: 2, failures: 1 });
  });

  it('rejects with the signal reason and sends nothing when already aborted', async () => {
    const { server, provider } = await setup({
      '/api/chat': loadFixture('01-chat-nonstream.json'),
    });
    const reason = new Error('user gave up');
    const error = await provider
      .complete(ask('x', { signal: AbortSignal.abort(reason) }))
      .catch((e) => e);
    expect(error).toBe(reason);
    expect(chats(server)).toHaveLength(0);
    // Not even the model lookup of the tokens step, for any entry point.
    const aborted = AbortSignal.abort(reason);
    await expect(collect(provider.stream(ask('y', { signal: aborted })))).rejects.toBe(reason);
    await expect(provider.embed({ model: 'm', input: 'x', signal: aborted })).rejects.toBe(reason);
    await expect(provider.modelInfo('llama3.2', { signal: aborted })).rejects.toBe(reason);
    await expect(provider.listModels({ signal: aborted })).rejects.toBe(reason);
    await expect(provider.initialize({ signal: aborted })).rejects.toBe(reason);
    await provider.close(); // waits for anything that was sent after all
    expect(server.requests).toHaveLength(0);
  });

  it('rejects with the signal reason and closes the connection when aborted during generation', async () => {
    const { server, provider } = await setup({ '/api/chat': () => {} });
    const controller = new AbortController();
    const pending = provider.complete(ask('x', { signal: controller.signal }));
    await until(() => chats(server).length === 1);
    const errors: unknown[] = [];
    provider.onError((event) => errors.push(event));
    controller.abort(new Error('cancelled'));
    await expect(pending).rejects.toThrow('cancelled');
    await until(() => server.aborted() === 1);
    // The caller's choice, not the server's failure: counted as cancelled, the breaker untouched.
    expect(provider.stats()).toMatchObject({ inFlight: 0, cancelled: 1, failures: 0 });
    expect(errors).toEqual([]);
    expect(provider.breaker?.stats()).toMatchObject({ failures: 0, state: 'closed' });
    expect(provider.toPrometheus()).toContain(
      'x_provider_ollama_cancelled_total{provider="ollama",model="llama3.2"} 1',
    );
  });

  it('throws OllamaTimeoutError total when the whole call exceeds totalMs', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date', 'performance'] });
    const { server, provider } = await setup(
      { '/api/chat': () => {} },
      { timeouts: { totalMs: 30_000 } },
    );
    const pending = provider.complete(ask()).catch((e) => e);
    await until(() => chats(server).length === 1);
    await vi.advanceTimersByTimeAsync(30_000);
    const error = await pending;
    expect(isOllamaTimeoutError(error)).toBe(true);
    expect(error).toMatchObject({ timeout: 'total', timeoutMs: 30_000, retryable: false });
    expect(chats(server)).toHaveLength(1);
  });

  it('is not cut by any headers timeout when a generation takes longer than 300 s', async () => {
    vi.useFakeTimers({
      toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date', 'performance'],
    });
    let send: ((line: string) => void) | undefined;
    let end: ((line: string) => void) | undefined;
    const { provider } = await setup({
      '/api/chat': (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/x-ndjson' });
        send = (line) => res.write(line);
        end = (line) => res.end(line);
      },
    });
    const pending = provider.complete(ask());
    await until(() => send !== undefined);
    // A 20-minute generation: a token every 30 s, as a slow model on a CPU streams.
    for (let i = 0; i < 40; i++) {
      send!(chatChunk(`t${i} `));
      await vi.advanceTimersByTimeAsync(30_000);
    }
    end!(doneChunk({ eval_count: 40 }));
    await expect(pending).resolves.toMatchObject({ usage: { completionTokens: 40 } });
  });

  it('ends with a first-token timeout when the server never answers, with default options', async () => {
    vi.useFakeTimers({
      toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date', 'performance'],
    });
    const { server, provider } = await setup({ '/api/chat': () => {} }, { retry: false });
    const pending = provider.complete(ask()).catch((e: unknown) => e);
    await until(() => chats(server).length === 1);
    await vi.advanceTimersByTimeAsync(300_000);
    const error = await pending;
    expect(isOllamaTimeoutError(error)).toBe(true);
    expect(error).toMatchObject({ timeout: 'firstToken', timeoutMs: 300_000 });
  });

  it('throws TypeError or RangeError before sending when the request is malformed', async () => {
    const { server, provider } = await setup({
      '/api/chat': loadFixture('01-chat-nonstream.json'),
    });
    // A blank model is the right type with a wrong value: @x/provider-core's RangeError.
    await expect(provider.complete({ model: '', messages: [] })).rejects.toThrow(RangeError);
    await expect(provider.complete({ model: 5 as never, messages: [] })).rejects.toThrow(TypeError);
    await expect(provider.complete(ask('x', { keepAlive: '10' }))).rejects.toThrow(/keepAlive/);
    expect(chats(server)).toHaveLength(0);
  });
});

describe('error mapping', () => {
  it('maps undici connect timeouts to a retryable OllamaTimeoutError connect', async () => {
    let calls = 0;
    const provider = createOllamaProvider({
      baseUrl: 'http://127.0.0.1:9',
      tokens: false,
      breaker: false,
      retry: { baseDelayMs: 1, maxDelayMs: 1 },
      timeouts: { connectMs: 1234 },
      transport: async () => {
        calls++;
        throw Object.assign(new Error('Connect Timeout Error'), {
          code: 'UND_ERR_CONNECT_TIMEOUT',
        });
      },
    });
    providers.push(provider);
    const error = await provider.complete(ask()).catch((e) => e);
    expect(isOllamaTimeoutError(error)).toBe(true);
    expect(error).toMatchObject({ timeout: 'connect', timeoutMs: 1234, retryable: true });
    expect(calls).toBe(3);
  });

  it('maps a 400 "prompt is longer than the context length" to ContextOverflowError', async () => {
    const { provider } = await setup({
      '/api/chat': (_req, res) => {
        res.writeHead(400, { 'content-type': 'application/json; charset=utf-8' });
        res.end(
          JSON.stringify({
            error:
              'the prompt is longer than the context length currently available to the model; shorten the prompt',
          }),
        );
      },
    });
    const error = await provider.complete(ask()).catch((e) => e);
    expect(isContextOverflowError(error)).toBe(true);
    expect(error).toMatchObject({ source: 'server', model: 'llama3.2', retryable: false });
  });

  it("maps llama-server's context error, which Ollama passes on for a prompt with images, to ContextOverflowError", async () => {
    // Ollama does not truncate a prompt with images: llama-server's 400 body becomes the message
    const runner = JSON.stringify({
      error: {
        code: 400,
        message:
          'request (9000 tokens) exceeds the available context size (4096 tokens), try increasing it',
        type: 'exceed_context_size_error',
      },
    });
    const { provider } = await setup({
      '/api/chat': (_req, res) => {
        res.writeHead(400, { 'content-type': 'application/json; charset=utf-8' });
        res.end(JSON.stringify({ error: runner }));
      },
    });
    const error = await provider.complete(ask()).catch((e) => e);
    expect(isContextOverflowError(error)).toBe(true);
    expect(error).toMatchObject({ source: 'server', model: 'llama3.2', retryable: false });
  });

  it('maps a redirect (a proxy sending http to https) to an OllamaApiError naming the new address', async () => {
    const moved: Handler = (req, res) => {
      res.writeHead(301, {
        location: `https://ollama.example${req.url}`,
        'content-type': 'text/html',
      });
      res.end('<html><body>Moved Permanently</body></html>');
    };
    const { server, provider } = await setup(
      { '/api/chat': moved, '/api/tags': moved },
      { tokens: false },
    );
    for (const call of [
      () => provider.complete(ask()),
      () => collect(provider.stream(ask())),
      () => provider.listModels(),
    ]) {
      const error = await call().catch((e) => e);
      expect(isOllamaApiError(error)).toBe(true);
      expect(error).toMatchObject({ statusCode: 301, retryable: false });
      expect(error.message).toContain('https://ollama.example/api/');
    }
    expect(server.requests).toHaveLength(3);
    expect(provider.breaker?.state).toBe('closed');
  });

  it('names a redirect without the credentials its Location carries', async () => {
    const locations = [
      'http://user:hunter2-pass@evil.example/api/chat',
      '/x?model=m&api_key=abcd1234abcd1234&X-Amz-Signature=0f0f0f0f0f0f',
    ];
    let answered = 0;
    const { provider } = await setup(
      {
        '/api/chat': (_req, res) => {
          res.writeHead(302, { location: locations[answered++ % locations.length]! });
          res.end();
        },
      },
      { tokens: false },
    );
    const messages: string[] = [];
    for (let i = 0; i < locations.length; i++) {
      messages.push(((await provider.complete(ask()).catch((e) => e)) as Error).message);
    }
    expect(messages).toEqual([
      'Ollama /api/chat answered 302: redirected to http://[redacted]@evil.example/api/chat; use that address as baseUrl',
      'Ollama /api/chat answered 302: redirected to /x?model=m&api_key=[redacted]&X-Amz-Signature=[redacted]; use that address as baseUrl',
    ]);
  });

  it('maps a 404 with a text body (unknown path) to OllamaApiError, not ModelNotFoundError', async () => {
    const { provider } = await setup({}, { tokens: false });
    const error = await provider.embed({ model: 'nomic-embed-text', input: 'x' }).catch((e) => e);
    expect(isOllamaApiError(error)).toBe(true);
    expect(isModelNotFoundError(error)).toBe(false);
    expect(error).toMatchObject({ statusCode: 404, serverMessage: '404 page not found' });
  });

  it('says where a 404 for a path not served went and asks about baseUrl', async () => {
    const { server } = await setup({});
    const provider = createOllamaProvider({
      baseUrl: `${server.url}/v1`,
      retry: false,
      tokens: false,
    });
    providers.push(provider);
    const error = await provider.complete(ask()).catch((e) => e);
    expect(isOllamaApiError(error)).toBe(true);
    expect(error.message).toMatch(
      /^Ollama \/api\/chat answered 404 \(404 page not found\): nothing is served at POST http:\/\/127\.0\.0\.1:\d+\/v1\/api\/chat\. Is baseUrl right\? Ollama's API is at the server's root/,
    );
    expect(error.serverMessage).toBe('404 page not found');
  });
});

describe('OllamaProvider.stream', () => {
  it('yields every chunk of fixture 02 and ends with the complete response', async () => {
    const { server, provider } = await setup({ '/api/chat': loadFixture('02-chat-stream.json') });
    const chunks = await collect(provider.stream(ask()));
    const last = chunks.at(-1)!;
    expect(chunks).toHaveLength(14);
    expect(
      chunks
        .slice(0, -1)
        .map((c) => c.content)
        .join(''),
    ).toBe('The sky appears blue because of a phenomenon called Rayleigh scattering.');
    expect(last.done).toBe(true);
    expect(last.response?.content).toBe(
      'The sky appears blue because of a phenomenon called Rayleigh scattering.',
    );
    expect(last.response?.usage).toEqual({
      promptTokens: 31,
      completionTokens: 14,
      totalTokens: 45,
    });
    expect(last.response?.timings.firstTokenMs).toBeGreaterThanOrEqual(0);
    expect(chats(server)[0]!.json?.stream).toBe(true);
    expect(chats(server)[0]!.headers.accept).toBe('application/x-ndjson');
  });

  it('folds generate-style chunks (fixture 03, `response` field) into the answer', async () => {
    const { provider } = await setup({ '/api/chat': loadFixture('03-generate-stream.json') });
    const chunks = await collect(provider.stream(ask()));
    const response = chunks.at(-1)!.response!;
    expect(
      response.content.startsWith('Waves caress the shore\nSalty whispers of the deep\n'),
    ).toBe(true);
    expect(
      chunks
        .slice(0, -1)
        .map((c) => c.content)
        .join(''),
    ).toBe(response.content);
    expect(response.finishReason).toBe('stop');
    expect(response.usage.completionTokens).toBeGreaterThan(0);
  });

  it('streams thinking separately from the answer and keeps both in the response', async () => {
    const thinkingChunk = (text: string) =>
      `${JSON.stringify({ model: 'qwen3:4b', message: { role: 'assistant', content: '', thinking: text }, done: false })}\n`;
    const { provider } = await setup({
      '/api/chat': chunked(
        thinkingChunk('Let me see. '),
        thinkingChunk('Blue light scatters.'),
        chatChunk('Rayleigh'),
        doneChunk(),
      ),
    });
    const chunks = await collect(
      provider.stream(ask('Why blue?', { model: 'qwen3:4b', think: true })),
    );
    expect(chunks.map((c) => c.thinking ?? '').join('')).toBe('Let me see. Blue light scatters.');
    const response = chunks.at(-1)!.response!;
    expect(response.thinking).toBe('Let me see. Blue light scatters.');
    expect(response.content).toBe('Rayleigh');
    expect(response.message).toEqual({
      role: 'assistant',
      content: 'Rayleigh',
      thinking: 'Let me see. Blue light scatters.',
    });
  });

  it('decodes characters split across writes inside their UTF-8 bytes', async () => {
    const text = 'héllo — 你好 🌍';
    const fixture = loadFixture('02-chat-stream.json');
    const body = chatChunk(text) + chatChunk(' ✓') + doneChunk();
    const bytes = Buffer.from(body, 'utf8');
    const emoji = bytes.indexOf(Buffer.from('🌍', 'utf8'));
    const cjk = bytes.indexOf(Buffer.from('你', 'utf8'));
    const split = splitFixture({ ...fixture, response: { ...fixture.response, body } }, [
      emoji + 1,
      emoji + 3,
      cjk + 2,
      5,
    ]);
    expect(split.response.writes_base64!.length).toBe(5);
    const { provider } = await setup({ '/api/chat': split });
    const chunks = await collect(provider.stream(ask()));
    expect(chunks.at(-1)!.response!.content).toBe(`${text} ✓`);
  });

  it('throws OllamaStreamError with the partial content on an error line, without retrying', async () => {
    const { server, provider } = await setup({
      '/api/chat': chunked(
        chatChunk('Hello'),
        chatChunk(' there'),
        '{"error":"an error was encountered while running the model: boom"}\n',
      ),
    });
    const seen: string[] = [];
    const error = await (async () => {
      for await (const chunk of provider.stream(ask())) seen.push(chunk.content);
    })().catch((e) => e);
    expect(isOllamaStreamError(error)).toBe(true);
    expect(error.reason).toBe('server-error');
    expect(error.serverMessage).toMatch(/boom/);
    expect(error.partial).toMatchObject({ content: 'Hello there', chunks: 2 });
    expect(seen).toEqual(['Hello', ' there']);
    expect(chats(server)).toHaveLength(1);
  });

  it('throws IncompleteStreamError with the partial content when the stream ends without done', async () => {
    const { server, provider } = await setup({
      '/api/chat': chunked(chatChunk('Half'), chatChunk(' an answer')),
    });
    const error = await collect(provider.stream(ask())).catch((e) => e);
    expect(isIncompleteStreamError(error)).toBe(true);
    expect(error.partial).toMatchObject({ content: 'Half an answer', chunks: 2 });
    expect(chats(server)).toHaveLength(1);
  });

  it('throws IncompleteStreamError and never retries when the connection drops after a chunk', async () => {
    const { server, provider } = await setup({
      '/api/chat': async (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/x-ndjson' });
        res.write(chatChunk('partial'));
        await new Promise((r) => setTimeout(r, 5));
        res.socket?.destroy();
      },
    });
    const error = await collect(provider.stream(ask())).catch((e) => e);
    expect(isIncompleteStreamError(error)).toBe(true);
    expect(error.partial.content).toBe('partial');
    expect(chats(server)).toHaveLength(1);
  });

  it('throws an idle OllamaTimeoutError with the partial content when the server stalls', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date', 'performance'] });
    const { server, provider } = await setup(
      {
        '/api/chat': (_req, res) => {
          res.writeHead(200, { 'content-type': 'application/x-ndjson' });
          res.write(chatChunk('first'));
        },
      },
      { timeouts: { idleMs: 5_000 } },
    );
    const seen: string[] = [];
    const pending = (async () => {
      for await (const chunk of provider.stream(ask())) seen.push(chunk.content);
    })().catch((e) => e);
    await until(() => seen.length === 1);
    await vi.advanceTimersByTimeAsync(4_000);
    expect(seen).toEqual(['first']);
    await vi.advanceTimersByTimeAsync(1_500);
    const error = await pending;
    expect(isOllamaTimeoutError(error)).toBe(true);
    expect(error).toMatchObject({ timeout: 'idle', timeoutMs: 5_000, retryable: false });
    expect(error.partial.content).toBe('first');
    await until(() => server.aborted() === 1);
    expect(chats(server)).toHaveLength(1);
  });

  it('does not count time the caller spends on a chunk as server silence', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date', 'performance'] });
    const { provider } = await setup(
      { '/api/chat': chunked(chatChunk('slow'), chatChunk(' reader'), doneChunk()) },
      { timeouts: { idleMs: 1_000 } },
    );
    const seen: string[] = [];
    for await (const chunk of provider.stream(ask())) {
      seen.push(chunk.content);
      // The caller holds the chunk for 5 s of (fake) time before asking for the next.
      if (!chunk.done) await vi.advanceTimersByTimeAsync(5_000);
    }
    expect(seen.join('')).toBe('slow reader');
  });

  it('retries a first-token timeout because nothing reached the caller yet', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date', 'performance'] });
    const { server, provider } = await setup(
      {
        '/api/chat': [() => {}, loadFixture('02-chat-stream.json')],
      },
      { timeouts: { firstTokenMs: 10_000 } },
    );
    const pending = collect(provider.stream(ask()));
    await until(() => chats(server).length === 1);
    await vi.advanceTimersByTimeAsync(10_000);
    await until(() => chats(server).length === 2);
    const chunks = await pending;
    expect(chunks.at(-1)!.response!.attempts).toBe(2);
    expect(provider.stats().retries).toBe(1);
  });

  it('aborts the request and frees the socket when the caller leaves the loop early', async () => {
    const { server, provider } = await setup({
      '/api/chat': (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/x-ndjson' });
        res.write(chatChunk('one'));
        res.write(chatChunk('two'));
      },
    });
    for await (const chunk of provider.stream(ask())) {
      expect(chunk.content).toBe('one');
      break;
    }
    await until(() => server.aborted() === 1);
    expect(provider.stats()).toMatchObject({ inFlight: 0, cancelled: 1, failures: 0 });
  });

  it('rejects with the signal reason when aborted mid-stream', async () => {
    const { server, provider } = await setup({
      '/api/chat': (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/x-ndjson' });
        res.write(chatChunk('one'));
      },
    });
    const controller = new AbortController();
    const reason = new Error('stop now');
    const error = await (async () => {
      for await (const _chunk of provider.stream(ask('x', { signal: controller.signal })))
        controller.abort(reason);
    })().catch((e) => e);
    expect(error).toBe(reason);
    await until(() => server.aborted() === 1);
    expect(provider.stats().inFlight).toBe(0);
  });

  it('yields nothing more after an abort, even chunks that arrived in the same read', async () => {
    const { server, provider } = await setup({
      '/api/chat': (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/x-ndjson' });
        // Five chunks in one write: they reach the provider in one read.
        res.write(['a', 'b', 'c', 'd', 'e'].map((c) => chatChunk(c)).join(''));
      },
    });
    const controller = new AbortController();
    const reason = new Error('stop now');
    const seen: string[] = [];
    const error = await (async () => {
      for await (const chunk of provider.stream(ask('x', { signal: controller.signal }))) {
        seen.push(chunk.content);
        controller.abort(reason);
      }
    })().catch((e) => e);
    expect(error).toBe(reason);
    expect(seen).toEqual(['a']);
    await until(() => server.aborted() === 1);
    expect(provider.stats().inFlight).toBe(0);
  });

  it('throws OllamaStreamError line-too-long instead of buffering an endless line', async () => {
    const { provider } = await setup(
      { '/api/chat': chunked('x'.repeat(4096), 'y'.repeat(4096)) },
      { maxLineBytes: 4096 },
    );
    const error = await collect(provider.stream(ask())).catch((e) => e);
    expect(isOllamaStreamError(error)).toBe(true);
    expect(error.reason).toBe('line-too-long');
  });
});

describe('OllamaProvider metadata', () => {
  it('calls the port OLLAMA_HOST names, or 11434 when it names none', async () => {
    const server = await startServer({ '/api/tags': loadFixture('04-tags.json') });
    servers.push(server);
    for (const host of [
      `127.0.0.1:${server.port}`,
      `localhost:${server.port}/`,
      `:${server.port}`,
    ]) {
      vi.stubEnv('OLLAMA_HOST', host);
      try {
        const provider = createOllamaProvider({ retry: false });
        providers.push(provider);
        expect(provider.baseUrl).toMatch(new RegExp(`:${server.port}$`));
        await expect(provider.listModels()).resolves.toHaveLength(3);
      } finally {
        vi.unstubAllEnvs();
      }
    }
    vi.stubEnv('OLLAMA_HOST', '0.0.0.0');
    try {
      expect(createOllamaProvider().baseUrl).toBe('http://127.0.0.1:11434');
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('throws a typed invalid-json OllamaStreamError when another service answers 200 with HTML', async () => {
    const html: Handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<!doctype html><title>Open WebUI</title>');
    };
    const { provider } = await setup(
      { '/api/tags': html, '/api/version': html, '/api/embed': html },
      { retry: false },
    );
    for (const call of [
      () => provider.listModels(),
      () => provider.initialize(),
      () => provider.embed({ model: 'nomic-embed-text', input: 'x' }),
    ]) {
      const error = await call().catch((e) => e);
      expect(isOllamaStreamError(error)).toBe(true);
      expect(error).toMatchObject({ reason: 'invalid-json', code: 'X_PROVIDER_OLLAMA_STREAM' });
      expect(error.message).toContain('Open WebUI');
    }
    // Every call names the content type: initialize()'s probe as much as the request path.
    for (const call of [
      () => provider.listModels(),
      () => provider.initialize(),
      () => provider.embed({ model: 'nomic-embed-text', input: 'x' }),
    ]) {
      expect((await call().catch((e) => e)).message).toContain(
        'answered with a web page (text/html), not application/json',
      );
    }
  });

  it('lists models from /api/tags (fixture 04)', async () => {
    const { provider } = await setup({ '/api/tags': loadFixture('04-tags.json') });
    const models = await provider.listModels();
    expect(models.map((m) => m.name)).toEqual([
      'qwen2.5:7b',
      'nomic-embed-text:latest',
      'llama3.2:latest',
    ]);
    expect(models[1]).toMatchObject({
      family: 'nomic-bert',
      contextLength: 2048,
      capabilities: ['embedding'],
    });
  });

  it('reads the trained context length from /api/show once per model (fixture 05)', async () => {
    const { server, provider } = await setup({ '/api/show': loadFixture('05-show-llama3.2.json') });
    const [a, b] = await Promise.all([
      provider.modelInfo('llama3.2'),
      provider.modelInfo('llama3.2'),
    ]);
    expect(a).toBe(b);
    expect(a).toMatchObject({
      architecture: 'llama',
      family: 'llama',
      contextLength: 131072,
      capabilities: ['completion', 'tools'],
      parameterSize: '3.2B',
    });
    expect(a.parameters.stop).toEqual(['<|start_header_id|>', '<|end_header_id|>', '<|eot_id|>']);
    await provider.modelInfo('llama3.2');
    expect(server.requests).toHaveLength(1);
  });

  it('keeps fetching model info for other callers when one caller aborts', async () => {
    let release: (() => void) | undefined;
    const show = loadFixture('05-show-llama3.2.json');
    const { server, provider } = await setup({
      '/api/show': (_req, res) => {
        release = () => {
          res.writeHead(200, show.response.headers);
          res.end(show.response.body);
        };
      },
    });
    const controller = new AbortController();
    const first = provider.modelInfo('llama3.2', { signal: controller.signal }).catch((e) => e);
    const second = provider.modelInfo('llama3.2');
    await until(() => release !== undefined);
    const reason = new Error('first caller left');
    controller.abort(reason);
    expect(await first).toBe(reason);
    release!();
    await expect(second).resolves.toMatchObject({ contextLength: 131072 });
    expect(server.requests.filter((r) => r.path === '/api/show')).toHaveLength(1);
  });

  it('initialize returns the version and the models', async () => {
    const { provider } = await setup({
      '/api/version': loadFixture('07-version.json'),
      '/api/tags': loadFixture('04-tags.json'),
    });
    const result = await provider.initialize();
    expect(result.version).toBe('0.32.15');
    expect(result.models).toHaveLength(3);
    expect(provider.models).toHaveLength(3);
  });

  it('embeds two inputs (fixture 17)', async () => {
    const { provider } = await setup({ '/api/embed': loadFixture('17-embed.json') });
    const fixture = loadFixture('17-embed.json');
    const result = await provider.embed({
      model: 'nomic-embed-text',
      input: (fixture.request.body as { input: string[] }).input,
    });
    expect(result.embeddings).toHaveLength(2);
    expect(result.embeddings[0]).toHaveLength(768);
    expect(result.model).toBe('nomic-embed-text');
  });
});

describe('OllamaProvider.health', () => {
  it('reports healthy with the version and loaded models without generating tokens', async () => {
    const { server, provider } = await setup({
      'HEAD /': loadFixture('09-health-head.json'),
      '/api/version': loadFixture('07-version.json'),
      '/api/ps': loadFixture('08-ps.json'),
    });
    const report = await provider.health();
    expect(report).toMatchObject({
      status: 'healthy',
      reachable: true,
      version: '0.32.15',
      reasons: [],
    });
    expect(report.loadedModels).toEqual([
      expect.objectContaining({ name: 'llama3.2:latest', contextLength: 8192 }),
      expect.objectContaining({ name: 'nomic-embed-text:latest', contextLength: 2048 }),
    ]);
    expect(server.requests.some((r) => r.path === '/api/chat' || r.path === '/api/generate')).toBe(
      false,
    );
  });

  it('reports degraded, reachable and the loaded models when /api/version answers HTML', async () => {
    const { provider } = await setup({
      'HEAD /': loadFixture('09-health-head.json'),
      '/api/version': (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end('<!doctype html><html><body>Welcome to nginx</body></html>');
      },
      '/api/ps': loadFixture('08-ps.json'),
    });
    const report = await provider.health();
    expect(report).toMatchObject({ status: 'degraded', reachable: true, version: undefined });
    expect(report.error).toBeUndefined();
    expect(report.reasons).toEqual([
      expect.stringMatching(/^version unavailable: .*answered with a web page \(text\/html\)/),
    ]);
    expect(report.reasons.join(' ')).not.toMatch(/unreachable|Unexpected token|not JSON/);
    expect(report.loadedModels).toHaveLength(2);
  });

  it('reports unhealthy, reachable, naming the page, when baseUrl is a web UI', async () => {
    const page: Handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<!doctype html><title>Open WebUI</title><body>sign in</body>');
    };
    const { provider } = await setup({ 'HEAD /': page, '/api/version': page, '/api/ps': page });
    const report = await provider.health();
    expect(report).toMatchObject({ status: 'unhealthy', reachable: true, version: undefined });
    expect(report.error).toMatch(
      /answered with a web page \(text\/html; charset=utf-8\).*Open WebUI/,
    );
    expect(report.reasons.join(' ')).not.toMatch(/unreachable|not JSON/);
  });

  it('reports unhealthy on time, with the reason, when a probe answers an endless body', async () => {
    const { provider } = await setup({
      'HEAD /': loadFixture('09-health-head.json'),
      '/api/version': (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        const chunk = Buffer.alloc(64 * 1024, 0x20);
        const pump = () => {
          while (!res.destroyed && res.write(chunk));
          if (!res.destroyed) res.once('drain', pump);
        };
        pump();
      },
      '/api/ps': loadFixture('08-ps.json'),
    });
    const report = await provider.health({ timeoutMs: 10_000 });
    expect(report.status).toBe('degraded');
    expect(report.reasons).toEqual([
      expect.stringMatching(/^version unavailable: .*answer exceeded 262144 bytes/),
    ]);
  });

  it('reports unhealthy instead of throwing when the server is down', async () => {
    const { server } = await setup({});
    const url = server.url;
    await server.close();
    servers.length = 0;
    const provider = createOllamaProvider({ baseUrl: url });
    providers.push(provider);
    const report = await provider.health();
    expect(report).toMatchObject({ status: 'unhealthy', reachable: false });
    expect(report.error).toMatch(/ECONNREFUSED/);
  });
});

describe('secrets', () => {
  it('sends the API key as a Bearer token and never puts it in errors, events or stats', async () => {
    const key = 'sk-test-1234567890-secret';
    const { server, provider } = await setup(
      {
        '/api/chat': (req, res) => {
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: `bad auth ${req.headers.authorization} for ${key}` }));
        },
      },
      { apiKey: key, retry: false, headers: { 'x-team': 'blue' } },
    );
    const events: unknown[] = [];
    provider.onError((e) => events.push(e));
    const onChannel = (message: unknown) => events.push(message);
    diagnosticsChannel.subscribe('x:provider-ollama:error', onChannel);
    try {
      const error = await provider.complete(ask()).catch((e) => e);
      expect(chats(server)[0]!.headers.authorization).toBe(`Bearer ${key}`);
      expect(chats(server)[0]!.headers['x-team']).toBe('blue');
      const everything = JSON.stringify([
        error.message,
        error.serverMessage,
        events,
        provider.stats(),
        provider.toPrometheus(),
      ]);
      expect(everything).not.toContain(key);
      expect(everything).toContain('[redacted]');
      expect(events).toHaveLength(2);
    } finally {
      diagnosticsChannel.unsubscribe('x:provider-ollama:error', onChannel);
    }
  });

  it('keeps the key out of every error, cause, event, statistic, metric, health report and cache key', async () => {
    const key = 'sk-live-Zq7Xv9Lm3Pw8Rt2Yb6Nc4Hd';
    // What the server sends back: the key without its Bearer prefix, in every place a server (or a
    // proxy in front of it) could echo it: JSON errors, a text body cut at 500 characters right in
    // the middle of the key, an error line mid-stream, a line that is not JSON.
    const echo = (req: { headers: { authorization?: string } }) =>
      String(req.headers.authorization).replace(/^Bearer /, '');
    const { provider } = await setup(
      {
        '/api/chat': [
          (req, res) => {
            res.writeHead(400, { 'content-type': 'application/json; charset=utf-8' });
            res.end(JSON.stringify({ error: `unknown key ${echo(req)}` }));
          },
          (req, res) => {
            res.writeHead(503, { 'content-type': 'application/json; charset=utf-8' });
            res.end(JSON.stringify({ error: `busy, retry with ${echo(req)}` }));
          },
          (req, res) => {
            res.writeHead(401, { 'content-type': 'text/plain' });
            res.end(`${'x'.repeat(488)}${echo(req)} rejected by the proxy`);
          },
          (req, res) => {
            res.writeHead(200, { 'content-type': 'application/x-ndjson' });
            res.write(chatChunk('Hel'));
            res.end(`${JSON.stringify({ error: `key ${echo(req)} revoked` })}\n`);
          },
          (req, res) => {
            res.writeHead(200, { 'content-type': 'application/x-ndjson' });
            res.write(chatChunk('Hel'));
            res.end(`${echo(req)} oops\n`);
          },
          loadFixture('01-chat-nonstream.json'),
        ],
      },
      // Three of these answers are the server's failures: with the preset's threshold (3) the
      // breaker would open before the last, successful calls.
      {
        apiKey: key,
        retry: { retries: 1, baseDelayMs: 1, maxDelayMs: 1 },
        breaker: { failureThreshold: 10 },
      },
    );
    const outputs = watchOutputs(provider, 'provider-ollama');
    const errors: unknown[] = [];
    try {
      errors.push(await provider.complete(ask('a', { temperature: 0 })).catch((e) => e));
      errors.push(
        await provider.complete(ask('b', { temperature: 0, cache: 'bypass' })).catch((e) => e),
      );
      errors.push(await collect(provider.stream(ask('c', { cache: 'bypass' }))).catch((e) => e));
      errors.push(await collect(provider.stream(ask('d', { cache: 'bypass' }))).catch((e) => e));
      await provider.complete(ask('e', { temperature: 0 }));
      await provider.complete(ask('e', { temperature: 0 }));
    } finally {
      outputs.stop();
    }
    expect(errors.map((e) => (e as { code?: string }).code)).toEqual([
      'X_PROVIDER_OLLAMA_API',
      'X_PROVIDER_OLLAMA_API',
      'X_PROVIDER_OLLAMA_STREAM',
      'X_PROVIDER_OLLAMA_STREAM',
    ]);
    const everything = [
      // The whole cause chain: messages, stacks, every own field, as JSON and as util.inspect sees it.
      ...errorTexts(errors),
      JSON.stringify(outputs.seen),
      JSON.stringify(provider.stats()),
      provider.toPrometheus(),
      JSON.stringify(await provider.health()),
      JSON.stringify(outputs.cacheKeys),
    ].join('\n');
    expect(outputs.cacheKeys.length).toBeGreaterThan(0);
    // Not the key, nor any 8-character piece of it.
    expectNoSecret(everything, key);
  });

  it('scrubs a key from getApiKey out of errors', async () => {
    const key = 'rotating-key-0123456789';
    const { provider } = await setup(
      {
        '/api/chat': (req, res) => {
          res.writeHead(401, { 'content-type': 'application/json' });
          res.end(
            JSON.stringify({
              error: `token ${String(req.headers.authorization).slice(7)} expired`,
            }),
          );
        },
      },
      { getApiKey: () => key, retry: false, tokens: false },
    );
    const error = await provider.complete(ask()).catch((e) => e);
    expect(error.statusCode).toBe(401);
    expect(JSON.stringify([error.message, error.serverMessage])).not.toContain(key);
  });

  it('scrubs the values of key headers that gateways name freely (apikey, api_key, x-secret)', async () => {
    const headers = {
      apikey: 'kong-key-0123456789',
      api_key: 'underscore-key-0123456789',
      'Ocp-Apim-Subscription-Key': 'azure-key-0123456789',
      'x-secret': 'plain-secret-0123456789',
    };
    const { provider } = await setup(
      {
        '/api/chat': (req, res) => {
          res.writeHead(403, { 'content-type': 'application/json' });
          const echoed = Object.keys(headers).map((name) => req.headers[name.toLowerCase()]);
          res.end(JSON.stringify({ error: `rejected ${echoed.join(' ')}` }));
        },
      },
      { headers, retry: false, tokens: false },
    );
    const error = await provider.complete(ask()).catch((e) => e);
    expect(error.statusCode).toBe(403);
    expect(error.message).toContain('[redacted]');
    expect(error.message).not.toMatch(/0123456789/);
  });

  it('scrubs each request its own key when getApiKey hands out one per request', async () => {
    let n = 0;
    const waiting: Array<() => void> = [];
    const { provider } = await setup(
      {
        '/api/chat': (req, res) => {
          // Hold every answer until all calls are in, then echo each one its raw key.
          waiting.push(() => {
            res.writeHead(401, { 'content-type': 'application/json' });
            res.end(
              JSON.stringify({
                error: `key ${String(req.headers.authorization).slice(7)} expired`,
              }),
            );
          });
          if (waiting.length === 12) for (const answer of waiting) answer();
        },
      },
      {
        getApiKey: () => `per-request-key-${String(++n).padStart(4, '0')}`,
        retry: false,
        tokens: false,
      },
    );
    const errors = await Promise.all(
      Array.from({ length: 12 }, (_, i) => provider.complete(ask(`q${i}`)).catch((e) => e)),
    );
    expect(errors.map((e) => e.statusCode)).toEqual(Array(12).fill(401));
    expect(JSON.stringify(errors.map((e) => [e.message, e.serverMessage]))).not.toMatch(
      /per-request-key-\d/,
    );
  });

  it('asks getApiKey before each request', async () => {
    let n = 0;
    const { server, provider } = await setup(
      { '/api/chat': loadFixture('01-chat-nonstream.json') },
      { getApiKey: () => `key-${++n}` },
    );
    await provider.complete(ask());
    await provider.complete(ask());
    // Every request, the window lookups (/api/show, /api/ps) included, carried a key of its own.
    const keys = server.requests.map((r) => r.headers.authorization);
    expect(new Set(keys).size).toBe(server.requests.length);
    expect(keys.every((k) => /^Bearer key-\d+$/.test(k ?? ''))).toBe(true);
    expect(server.requests.map((r) => r.path).sort()).toEqual([
      '/api/chat',
      '/api/chat',
      '/api/ps',
      '/api/show',
    ]);
    expect(
      server.requests.filter((r) => r.path === '/api/chat').map((r) => r.headers.authorization),
    ).toEqual(['Bearer key-3', 'Bearer key-4']);
  });
});

describe('OllamaProvider.stats', () => {
  it('counts requests, tokens and latency and renders them for Prometheus', async () => {
    const { provider } = await setup({ '/api/chat': loadFixture('01-chat-nonstream.json') });
    await provider.complete(ask());
    await provider.complete(ask());
    const stats = provider.stats();
    expect(stats).toMatchObject({
      requests: 2,
      successes: 2,
      failures: 0,
      promptTokens: 84,
      completionTokens: 62,
      inFlight: 0,
    });
    expect(stats.latencyMs.count).toBe(2);
    expect(stats.tokensPerSecond.p50).toBeGreaterThan(0);
    expect(JSON.parse(JSON.stringify(stats))).toEqual(stats);
    const text = provider.toPrometheus();
    const labels = 'provider="ollama",model="llama3.2"';
    expect(text).toContain('# TYPE x_provider_ollama_requests_total counter');
    expect(text).toContain(`x_provider_ollama_requests_total{${labels}} 2`);
    expect(text).toContain('# TYPE x_provider_ollama_request_duration_seconds histogram');
    expect(text).toContain(`x_provider_ollama_request_duration_seconds_count{${labels}} 2`);
    expect(text).toContain(
      `x_provider_ollama_request_duration_seconds_bucket{${labels},le="+Inf"} 2`,
    );
    expect(text).toMatch(
      /x_provider_ollama_request_duration_seconds_bucket\{provider="ollama",model="llama3.2",le="0.005"\} \d/,
    );
    expect(text).toContain(`x_provider_ollama_prompt_tokens_total{${labels}} 84`);
  });

  it('renders valid Prometheus text with escaped label values when error codes hold quotes and newlines', async () => {
    // A rate limiter's own error is counted under its code, whatever that holds. (A transport's
    // is not: its cause is a scrubbed copy whose code is shape-checked; nor a key callback's: it
    // ends the call as a LocalLimitError, never quoting what it threw.)
    let failing = false;
    const limiter = createRateLimiter({ limits: { requests: { ratePerSecond: 100 } } });
    const acquire = limiter.acquire.bind(limiter);
    limiter.acquire = ((...args: Parameters<typeof acquire>) =>
      failing
        ? Promise.reject(Object.assign(new Error('stop'), { code: 'we"ird\\code\nx' }))
        : acquire(...args)) as typeof limiter.acquire;
    const { provider } = await setup(
      { '/api/chat': loadFixture('01-chat-nonstream.json') },
      { rateLimit: limiter, tokens: false },
    );
    await provider.complete(ask());
    failing = true;
    await provider.complete(ask('x')).catch(() => {});
    const text = provider.toPrometheus();
    expect(text.endsWith('\n')).toBe(true);
    const typed = new Map<string, string>();
    const helped = new Set<string>();
    const label = String.raw`[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\\\|\\"|\\n)*"`;
    const sample = new RegExp(
      String.raw`^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{${label}(?:,${label})*\})? (NaN|[+-]Inf|-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)$`,
    );
    for (const line of text.slice(0, -1).split('\n')) {
      const help = /^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) \S/.exec(line);
      const type =
        /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|summary|histogram|untyped)$/.exec(line);
      if (help) {
        expect(helped.has(help[1]!)).toBe(false);
        helped.add(help[1]!);
      } else if (type) {
        expect(typed.has(type[1]!)).toBe(false);
        typed.set(type[1]!, type[2]!);
      } else {
        const match = sample.exec(line);
        expect(match, line).not.toBeNull();
        const name = match![1]!;
        const family = typed.has(name) ? name : name.replace(/_(bucket|sum|count)$/, '');
        expect(typed.has(family), line).toBe(true);
      }
    }
    expect(text).toContain(
      String.raw`x_provider_ollama_failures_total{provider="ollama",model="llama3.2",code="we\"ird\\code\nx"} 1`,
    );
  });

  it('reports a throwing listener as a process warning and still answers', async () => {
    const { provider } = await setup({ '/api/chat': loadFixture('01-chat-nonstream.json') });
    const warnings: Array<[string, { type?: string } | undefined]> = [];
    const spy = vi
      .spyOn(process, 'emitWarning')
      .mockImplementation((message: string | Error, options?: unknown) => {
        warnings.push([String(message), options as { type?: string }]);
      });
    try {
      provider.onResponse(() => {
        throw new Error('listener bug');
      });
      const answer = await provider.complete(ask());
      expect(answer.content.length).toBeGreaterThan(0);
    } finally {
      spy.mockRestore();
    }
    expect(warnings).toEqual([
      [
        "@x/provider-ollama: a 'response' listener threw: Error: listener bug",
        expect.objectContaining({ type: 'XListenerError' }),
      ],
    ]);
  });

  it('publishes responses on the x:provider-ollama:response channel', async () => {
    const { provider } = await setup({ '/api/chat': loadFixture('01-chat-nonstream.json') });
    const seen: unknown[] = [];
    const onMessage = (m: unknown) => seen.push(m);
    diagnosticsChannel.subscribe('x:provider-ollama:response', onMessage);
    try {
      await provider.complete(ask());
    } finally {
      diagnosticsChannel.unsubscribe('x:provider-ollama:response', onMessage);
    }
    expect(seen).toEqual([
      expect.objectContaining({ model: 'llama3.2', attempts: 1, cached: false }),
    ]);
  });
});

describe('createOllamaProvider', () => {
  it('normalises OLLAMA_HOST-style addresses', () => {
    const make = (baseUrl: string) => createOllamaProvider({ baseUrl }).baseUrl;
    expect(make('127.0.0.1:11434')).toBe('http://127.0.0.1:11434');
    expect(make('0.0.0.0')).toBe('http://127.0.0.1:11434');
    expect(make('http://localhost:11434/')).toBe('http://localhost:11434');
    expect(make('https://ollama.com/api')).toBe('https://ollama.com');
    expect(make('http://gpu-box:8080')).toBe('http://gpu-box:8080');
  });

  it('reads a scheme-less address as http on port 11434 unless it names a port, as Ollama does', () => {
    const make = (baseUrl: string) => createOllamaProvider({ baseUrl }).baseUrl;
    expect(make('localhost:11434')).toBe('http://localhost:11434');
    expect(make('localhost')).toBe('http://localhost:11434');
    expect(make('gpu-box/')).toBe('http://gpu-box:11434');
    expect(make('0.0.0.0:11434/')).toBe('http://127.0.0.1:11434');
    expect(make(':11434')).toBe('http://127.0.0.1:11434');
    expect(make('[::1]')).toBe('http://[::1]:11434');
    expect(make('::1')).toBe('http://[::1]:11434');
    expect(make('[::]:11500')).toBe('http://[::1]:11500');
    expect(make('gpu-box:80')).toBe('http://gpu-box');
    expect(make(' "127.0.0.1:11434" ')).toBe('http://127.0.0.1:11434');
  });

  it("keeps the scheme's own default port when the address has a scheme, as Ollama does", () => {
    const make = (baseUrl: string) => createOllamaProvider({ baseUrl }).baseUrl;
    expect(make('http://ollama.internal')).toBe('http://ollama.internal');
    expect(make('http://ollama.internal/')).toBe('http://ollama.internal');
    expect(make('https://ollama.internal')).toBe('https://ollama.internal');
    expect(make('https://ollama.internal/')).toBe('https://ollama.internal');
    expect(make('http://0.0.0.0')).toBe('http://127.0.0.1');
    expect(make('https://proxy.example/ollama/')).toBe('https://proxy.example/ollama');
  });

  it('uses the default address when OLLAMA_HOST holds only spaces or quotes', () => {
    vi.stubEnv('OLLAMA_HOST', ' "" ');
    try {
      expect(createOllamaProvider().baseUrl).toBe('http://localhost:11434');
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('reads OLLAMA_HOST when baseUrl is not given', () => {
    vi.stubEnv('OLLAMA_HOST', '10.0.0.5:11500');
    try {
      expect(createOllamaProvider().baseUrl).toBe('http://10.0.0.5:11500');
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('throws TypeError or RangeError for invalid options', () => {
    expect(() => createOllamaProvider({ baseUrl: 'ftp://x' })).toThrow(RangeError);
    expect(() => createOllamaProvider({ baseUrl: 'http://user:pw@host' })).toThrow(
      /without credentials/,
    );
    // Whatever is wrong with the URL, the message never shows a password written into it.
    for (const baseUrl of [
      'http://user:s3cretpw@ho st:11434',
      'ftp://user:s3cretpw@host',
      'user:s3cretpw@ho st',
    ]) {
      expect(() => createOllamaProvider({ baseUrl })).toThrow(RangeError);
      expect(() => createOllamaProvider({ baseUrl })).not.toThrow(/s3cretpw/);
    }
    expect(() => createOllamaProvider({ timeouts: { idleMs: -1 } })).toThrow(RangeError);
    expect(() => createOllamaProvider({ retry: { retries: 1.5 } })).toThrow(RangeError);
    expect(() => createOllamaProvider({ apiKey: '' })).toThrow(RangeError);
  });

  it('throws the option error the README quotes, word for word', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8').replace(
      /\s+/g,
      ' ',
    );
    let message = '';
    try {
      createOllamaProvider({ timeouts: { idleMs: -1 } });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/timeouts\.idleMs/);
    expect(readme).toContain(`(\`\`${message}\`\`)`);
  });

  it('leaves no socket or timer behind after close()', async () => {
    const count = () => {
      const info = process.getActiveResourcesInfo();
      return {
        sockets: info.filter((r) => r === 'TCPSocketWrap').length,
        timers: info.filter((r) => r === 'Timeout').length,
      };
    };
    const server = await startServer({
      '/api/show': loadFixture('05-show-llama3.2.json'),
      '/api/chat': [loadFixture('01-chat-nonstream.json'), loadFixture('02-chat-stream.json')],
    });
    const before = count();
    const provider = createOllamaProvider({ baseUrl: server.url });
    await provider.complete(ask());
    for await (const _chunk of provider.stream(ask())) {
      // drain
    }
    expect(count().sockets).toBeGreaterThan(before.sockets);
    await provider.close();
    await server.close();
    // undici retires its shared tick timer on its next tick: wait for it, up to the limit.
    await until(() => {
      const now = count();
      return now.sockets <= before.sockets && now.timers <= before.timers;
    }).catch(() => {});
    // At most what was there before: an earlier test's undici tick timer may retire meanwhile.
    const after = count();
    expect(after.sockets).toBeLessThanOrEqual(before.sockets);
    expect(after.timers).toBeLessThanOrEqual(before.timers);
  });

  it('resolves a second close() only when the first one has finished', async () => {
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const fixture = loadFixture('01-chat-nonstream.json');
    const { server, provider } = await setup({
      '/api/chat': async (_req, res) => {
        await held;
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
        res.end(fixture.response.body);
      },
    });
    const answer = provider.complete(ask());
    await until(() => chats(server).length === 1);
    const order: string[] = [];
    const first = provider.close().then(() => order.push('first'));
    const second = provider.close().then(() => order.push('second'));
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    order.push('released');
    release();
    await Promise.all([answer, first, second]);
    expect(order).toEqual(['released', 'first', 'second']);
  });

  it('ends a call waiting out a retry backoff as soon as close() is called, its timer with it', async () => {
    const { server, provider } = await setup(
      {
        '/api/chat': (_req, res) => {
          res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '5' });
          res.end('{"error":"server busy"}');
        },
      },
      { tokens: false, retry: { retries: 2, baseDelayMs: 1, maxDelayMs: 10_000 } },
    );
    const pending = provider.complete(ask()).catch((e: unknown) => e);
    await until(() => server.requests.length === 1);
    const started = performance.now();
    await provider.close();
    const error = await pending;
    expect(error).toBeInstanceOf(ProviderClosedError);
    // not after the 5 s the server asked for
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(server.requests).toHaveLength(1);
    // The owner's choice, as with destroy(): cancelled, not a failure of the server.
    expect(provider.stats()).toMatchObject({ cancelled: 1, failures: 0, inFlight: 0 });
  });

  it('rejects new calls with ProviderClosedError after close()', async () => {
    const provider = createOllamaProvider({ baseUrl: 'http://127.0.0.1:9' });
    await provider.close();
    await expect(provider.complete(ask())).rejects.toBeInstanceOf(ProviderClosedError);
  });
});
