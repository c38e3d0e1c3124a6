import { until } from '@x/internal/testing';
import { describe, expect, it, vi } from 'vitest';
import {
  ask,
  chatChunk,
  chats,
  collect,
  doneChunk,
  fixtureSetup,
  type Handler,
  loadFixture,
} from './__fixtures__/server';
import {
  isModelNotFoundError,
  isOllamaApiError,
  isOllamaConnectionError,
  isOllamaTimeoutError,
  isServerBusyError,
} from './errors';
import { createOllamaProvider } from './provider';

const { providers, servers, setup } = fixtureSetup();

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
