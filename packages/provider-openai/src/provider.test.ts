import diagnosticsChannel from 'node:diagnostics_channel';
import { describe, expect, it, vi } from 'vitest';
import {
  chunk,
  completion,
  DONE,
  errorBody,
  json,
  MODEL,
  sse,
  streamOf,
  until,
  usage,
} from './__fixtures__/server';
import { ask, chats, setup, track } from './__fixtures__/setup';
import {
  isContextOverflowError,
  isModelNotFoundError,
  isOpenAIApiError,
  isOpenAIConnectionError,
  isOpenAIError,
  isOpenAIStreamError,
  isOpenAITimeoutError,
  isRateLimitedError,
  isServerBusyError,
  ProviderClosedError,
} from './errors';
import { createOpenAIProvider } from './provider';

const hello = json(200, completion({ content: 'Hello! How can I help?' }));

describe('OpenAIProvider.complete', () => {
  it('maps a chat.completion to content, usage, ids and finish reason', async () => {
    const { server, provider } = await setup({ '/chat/completions': hello });
    const answer = await provider.complete(ask('Hi', { temperature: 0.2, maxTokens: 50 }));
    expect(answer).toMatchObject({
      content: 'Hello! How can I help?',
      message: { role: 'assistant', content: 'Hello! How can I help?' },
      toolCalls: [],
      model: 'gpt-4o-mini-2024-07-18',
      finishReason: 'stop',
      usage: {
        promptTokens: 19,
        completionTokens: 10,
        totalTokens: 29,
        cachedPromptTokens: 0,
        reasoningTokens: 0,
      },
      id: 'chatcmpl-BK7oQgNw8h3Rz2QeTfX9pL1c',
      created: 1_764_115_200,
      systemFingerprint: 'fp_560af6e559',
      refusal: undefined,
      logprobs: undefined,
      cached: false,
      attempts: 1,
    });
    expect(answer.costUsd).toBeGreaterThan(0);
    expect(answer.timings.latencyMs).toBeGreaterThanOrEqual(0);
    const [sent] = chats(server);
    expect(sent!.headers.authorization).toBe('Bearer sk-test-key-for-the-local-server');
    expect(sent!.json).toEqual({
      model: MODEL,
      messages: [{ role: 'user', content: 'Hi' }],
      temperature: 0.2,
      max_completion_tokens: 50,
      // complete() streams by default (completeAs 'stream'); this server answered one JSON document.
      stream: true,
      stream_options: { include_usage: true },
    });
  });

  it('returns tool calls with parsed arguments, the raw JSON kept, and finishReason tool_calls', async () => {
    const { provider } = await setup({
      '/chat/completions': json(
        200,
        completion(
          {
            tool_calls: [
              {
                id: 'call_1',
                type: 'function',
                function: { name: 'get_weather', arguments: '{"city":"Paris","unit":"c"}' },
              },
              {
                id: 'call_2',
                type: 'function',
                function: { name: 'broken', arguments: '{"city":' },
              },
            ],
          },
          {},
          'tool_calls',
        ),
      ),
    });
    const answer = await provider.complete(ask());
    expect(answer.finishReason).toBe('tool_calls');
    expect(answer.toolCalls).toEqual([
      {
        id: 'call_1',
        index: 0,
        name: 'get_weather',
        arguments: { city: 'Paris', unit: 'c' },
        rawArguments: '{"city":"Paris","unit":"c"}',
      },
      { id: 'call_2', index: 1, name: 'broken', arguments: {}, rawArguments: '{"city":' },
    ]);
    expect(answer.message.toolCalls).toBe(answer.toolCalls);
  });

  it('returns typed logprobs and the reasoning text when the server sends them', async () => {
    const { server, provider } = await setup({
      '/chat/completions': json(200, {
        ...completion({ content: 'Hi', reasoning_content: 'The user greets me.' }),
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: 'Hi', reasoning_content: 'The user greets me.' },
            logprobs: {
              content: [
                {
                  token: 'Hi',
                  logprob: -0.01,
                  bytes: [72, 105],
                  top_logprobs: [{ token: 'Hi', logprob: -0.01, bytes: [72, 105] }],
                },
              ],
              refusal: null,
            },
            finish_reason: 'stop',
          },
        ],
      }),
    });
    const answer = await provider.complete(ask('Hi', { logprobs: true, topLogprobs: 1 }));
    expect(answer.logprobs).toEqual([
      {
        token: 'Hi',
        logprob: -0.01,
        bytes: [72, 105],
        topLogprobs: [{ token: 'Hi', logprob: -0.01, bytes: [72, 105] }],
      },
    ]);
    expect(answer.thinking).toBe('The user greets me.');
    expect(chats(server)[0]!.json).toMatchObject({ logprobs: true, top_logprobs: 1 });
  });

  it('sends a JSON schema as response_format and returns the structured answer', async () => {
    const { server, provider } = await setup({
      '/chat/completions': json(200, completion({ content: '{"answer":"blue"}' })),
    });
    const schema = { type: 'object', properties: { answer: { type: 'string' } } };
    const answer = await provider.complete(
      ask('Colour?', {
        responseFormat: {
          type: 'json_schema',
          jsonSchema: { name: 'colour', schema, strict: true },
        },
      }),
    );
    expect(JSON.parse(answer.content)).toEqual({ answer: 'blue' });
    expect(chats(server)[0]!.json!.response_format).toEqual({
      type: 'json_schema',
      json_schema: { name: 'colour', schema, strict: true },
    });
  });

  it('leaves absent counters undefined instead of 0', async () => {
    const { provider } = await setup({
      '/chat/completions': json(200, completion({ content: 'x' }, { usage: undefined })),
    });
    const answer = await provider.complete(ask());
    expect(answer.usage).toEqual({
      promptTokens: undefined,
      completionTokens: undefined,
      totalTokens: undefined,
      cachedPromptTokens: undefined,
      reasoningTokens: undefined,
    });
  });

  it('reads an answer preceded by the blank keep-alive lines DeepSeek sends while busy', async () => {
    const { provider } = await setup({
      '/chat/completions': (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('\n\n\n');
        res.end(JSON.stringify(completion({ content: 'late' })));
      },
    });
    await expect(provider.complete(ask())).resolves.toMatchObject({ content: 'late' });
  });

  it('reads server-sent events when a proxy streams an answer asked without stream', async () => {
    const { provider } = await setup({ '/chat/completions': sse(streamOf('Hel', 'lo')) });
    await expect(provider.complete(ask())).resolves.toMatchObject({
      content: 'Hello',
      usage: { promptTokens: 19 },
    });
  });

  it("with completeAs 'whole' asks for one JSON answer: no stream field is sent", async () => {
    const { server, provider } = await setup(
      { '/chat/completions': hello },
      { completeAs: 'whole' },
    );
    await expect(provider.complete(ask('Hi'))).resolves.toMatchObject({
      content: 'Hello! How can I help?',
    });
    const [sent] = chats(server);
    expect(sent!.json).not.toHaveProperty('stream');
    expect(sent!.json).not.toHaveProperty('stream_options');
  });

  it('bounds a streamed complete() by the first-token deadline, not only the total one', async () => {
    const { provider } = await setup(
      { '/chat/completions': () => new Promise<void>(() => {}) },
      { timeouts: { firstTokenMs: 150, totalMs: 60_000 }, retry: { retries: 0 } },
    );
    await expect(provider.complete(ask())).rejects.toMatchObject({
      kind: 'timeout',
      timeout: 'firstToken',
    });
  });

  it('serves an identical deterministic request from the cache, marked cached', async () => {
    const { server, provider } = await setup({ '/chat/completions': hello });
    const first = await provider.complete(ask('Hi', { temperature: 0 }));
    const second = await provider.complete(ask('Hi', { temperature: 0 }));
    expect(first.cached).toBe(false);
    expect(second).toMatchObject({ cached: true, attempts: 0, content: first.content });
    expect(chats(server)).toHaveLength(1);
    // No temperature: OpenAI samples at 1, so the answer is not cached.
    await provider.complete(ask('Hi'));
    await provider.complete(ask('Hi'));
    expect(chats(server)).toHaveLength(3);
    expect(provider.stats()).toMatchObject({ cacheHits: 1 });
  });

  it('rejects with the signal reason and closes the connection when aborted', async () => {
    const { server, provider } = await setup({ '/chat/completions': () => {} });
    const controller = new AbortController();
    const pending = provider.complete(ask('Hi', { signal: controller.signal }));
    await until(() => chats(server).length === 1);
    const reason = new Error('user left');
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
    await until(() => server.aborted() === 1);
    expect(provider.stats()).toMatchObject({ inFlight: 0 });
  });

  it('throws OpenAITimeoutError total when the whole call exceeds totalMs', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date', 'performance'] });
    const { server, provider } = await setup(
      { '/chat/completions': () => {} },
      { timeouts: { totalMs: 30_000 } },
    );
    const pending = provider.complete(ask()).catch((e: unknown) => e);
    await until(() => chats(server).length === 1);
    await vi.advanceTimersByTimeAsync(30_000);
    const error = await pending;
    expect(isOpenAITimeoutError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'X_PROVIDER_OPENAI_TIMEOUT', timeout: 'total' });
  });

  it('gives the total timeout of a complete() the chunks that had arrived', async () => {
    const { provider } = await setup(
      {
        '/chat/completions': (_req, res) => {
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          res.write(chunk({ role: 'assistant', content: 'Half an ' }));
          res.write(chunk({ content: 'answer' }));
          // then silence: the total deadline ends the call
        },
      },
      { timeouts: { totalMs: 500 }, retry: { retries: 0 } },
    );
    const error = await provider.complete(ask()).catch((e: unknown) => e);
    expect(isOpenAITimeoutError(error)).toBe(true);
    expect(error).toMatchObject({
      timeout: 'total',
      partial: { content: 'Half an answer', chunks: 2 },
    });
  });

  it('throws OpenAIConnectionError after retrying when nothing listens', async () => {
    const provider = createOpenAIProvider({
      baseUrl: 'http://127.0.0.1:9/v1',
      retry: { baseDelayMs: 1, maxDelayMs: 1 },
      breaker: false,
    });
    try {
      const error = await provider.complete(ask()).catch((e: unknown) => e);
      expect(isOpenAIConnectionError(error)).toBe(true);
      expect(provider.stats().attempts).toBe(3);
    } finally {
      await provider.close();
    }
  });

  it('refuses a prompt that cannot fit a known model before sending anything', async () => {
    const { server, provider } = await setup({ '/chat/completions': hello });
    // gpt-4 has an 8,192-token window in @x/tokens' table, and is counted exactly.
    const error = await provider
      .complete({ ...ask('word '.repeat(9_000)), model: 'gpt-4' })
      .catch((e: unknown) => e);
    expect(isContextOverflowError(error)).toBe(true);
    expect(error).toMatchObject({
      code: 'X_PROVIDER_OPENAI_CONTEXT_OVERFLOW',
      source: 'estimate',
      contextWindow: 8_192,
    });
    expect(chats(server)).toHaveLength(0);
  });

  it('checks windows given as contextWindows and those /models lists', async () => {
    const { server, provider } = await setup(
      {
        '/chat/completions': hello,
        '/models': json(200, {
          object: 'list',
          data: [
            { id: 'local-llama', object: 'model', created: 1, owned_by: 'vllm', max_model_len: 64 },
          ],
        }),
      },
      { contextWindows: { 'tiny-model': 32 } },
    );
    const long = 'many words in this prompt '.repeat(20);
    await expect(provider.complete({ ...ask(long), model: 'tiny-model' })).rejects.toMatchObject({
      contextWindow: 32,
    });
    await provider.complete({ ...ask(long), model: 'local-llama' });
    expect(await provider.listModels()).toEqual([
      { id: 'local-llama', ownedBy: 'vllm', created: 1, contextLength: 64 },
    ]);
    await expect(provider.complete({ ...ask(long), model: 'local-llama' })).rejects.toMatchObject({
      contextWindow: 64,
    });
    expect(chats(server)).toHaveLength(1);
  });

  it('throws TypeError naming the closest key for an unknown request key, before sending', async () => {
    const { server, provider } = await setup({ '/chat/completions': hello });
    await expect(provider.complete({ ...ask(), max_tokens: 5 } as never)).rejects.toThrow(
      /Unknown option `request.max_tokens`: did you mean `request.maxTokens`\?/,
    );
    await expect(
      provider.complete({
        ...ask(),
        messages: [{ role: 'tool', content: 'x', tool_call_id: 'c' }],
      } as never),
    ).rejects.toThrow(/`request.messages\[0\].tool_call_id`/);
    await expect(provider.complete(ask('x', { temperature: 3 }))).rejects.toThrow(RangeError);
    expect(chats(server)).toHaveLength(0);
  });
});

describe('OpenAIProvider error mapping', () => {
  it("says where a 404 for a path not served went (OpenAI's `Invalid URL`) and asks about baseUrl", async () => {
    const { server } = await setup({
      '/v1/chat/completions': json(
        404,
        errorBody('Invalid URL (POST /v1/v1/chat/completions)', 'invalid_request_error'),
      ),
    });
    // a baseUrl with the version prefix twice
    const provider = track(
      createOpenAIProvider({
        baseUrl: `${server.url}/v1`,
        apiKey: 'sk-test-key-for-the-local-server',
        retry: false,
      }),
    );
    const error = await provider.complete(ask()).catch((e: unknown) => e);
    expect(isOpenAIApiError(error)).toBe(true);
    expect((error as Error).message).toMatch(
      /^127\.0\.0\.1:\d+ \/chat\/completions answered 404 \(Invalid URL \(POST \/v1\/v1\/chat\/completions\)\): nothing is served at POST http:\/\/127\.0\.0\.1:\d+\/v1\/v1\/chat\/completions\. Is baseUrl right\? An OpenAI-compatible API sits under a version prefix/,
    );
    expect(chats(server)).toHaveLength(0);
  });

  it('keeps the error body fields and does not retry a 400', async () => {
    const { server, provider } = await setup({
      '/chat/completions': json(
        400,
        errorBody(
          "Invalid value for 'temperature'",
          'invalid_request_error',
          'invalid_value',
          'temperature',
        ),
      ),
    });
    const error = await provider.complete(ask()).catch((e: unknown) => e);
    expect(isOpenAIApiError(error)).toBe(true);
    expect(error).toMatchObject({
      code: 'X_PROVIDER_OPENAI_API',
      statusCode: 400,
      serverMessage: "Invalid value for 'temperature'",
      type: 'invalid_request_error',
      errorCode: 'invalid_value',
      param: 'temperature',
      retryable: false,
    });
    expect(chats(server)).toHaveLength(1);
  });

  it('maps a 404 model_not_found to ModelNotFoundError, not retried', async () => {
    const { server, provider } = await setup({
      '/chat/completions': json(
        404,
        errorBody(
          'The model `gpt-9` does not exist or you do not have access to it.',
          'invalid_request_error',
          'model_not_found',
        ),
      ),
    });
    const error = await provider.complete({ ...ask(), model: 'gpt-9' }).catch((e: unknown) => e);
    expect(isModelNotFoundError(error)).toBe(true);
    expect(error).toMatchObject({
      code: 'X_PROVIDER_OPENAI_MODEL_NOT_FOUND',
      model: 'gpt-9',
      errorCode: 'model_not_found',
      retryable: false,
    });
    expect(chats(server)).toHaveLength(1);
  });

  it('maps context_length_exceeded to ContextOverflowError from the server', async () => {
    const { provider } = await setup({
      '/chat/completions': json(
        400,
        errorBody(
          "This model's maximum context length is 128000 tokens. However, your messages resulted in 130000 tokens.",
          'invalid_request_error',
          'context_length_exceeded',
          'messages',
        ),
      ),
    });
    const error = await provider.complete({ ...ask(), model: 'unknown-model' }).catch((e) => e);
    expect(isContextOverflowError(error)).toBe(true);
    expect(error).toMatchObject({ source: 'server', retryable: false });
  });

  it("maps llama.cpp's exceed_context_size_error to ContextOverflowError from the server", async () => {
    const { provider } = await setup({
      '/chat/completions': json(400, {
        error: {
          code: 400,
          message:
            'request (9000 tokens) exceeds the available context size (4096 tokens), try increasing it',
          type: 'exceed_context_size_error',
        },
      }),
    });
    const error = await provider.complete({ ...ask(), model: 'unknown-model' }).catch((e) => e);
    expect(isContextOverflowError(error)).toBe(true);
    expect(error).toMatchObject({ source: 'server', retryable: false });
  });

  it('waits for retry-after-ms before retrying a 429, then succeeds', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date', 'performance'] });
    const { server, provider } = await setup({
      '/chat/completions': [
        json(429, errorBody('Rate limit reached for requests', 'requests', 'rate_limit_exceeded'), {
          'retry-after-ms': '7000',
          'retry-after': '7',
        }),
        hello,
      ],
    });
    const pending = provider.complete(ask());
    await until(() => chats(server).length === 1);
    await vi.advanceTimersByTimeAsync(6_900);
    await new Promise((r) => setImmediate(r));
    expect(chats(server)).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(200);
    await expect(pending).resolves.toMatchObject({ attempts: 2 });
    // The limiter's pause is the server's, not a failure of the server: the breaker stays closed.
    expect(provider.breaker?.state).toBe('closed');
  });

  it('does not retry a 429 that says the quota is exhausted', async () => {
    const { server, provider } = await setup({
      '/chat/completions': json(
        429,
        errorBody(
          'You exceeded your current quota, please check your plan and billing details.',
          'insufficient_quota',
          'insufficient_quota',
        ),
      ),
    });
    const error = await provider.complete(ask()).catch((e: unknown) => e);
    expect(isRateLimitedError(error)).toBe(true);
    expect(error).toMatchObject({
      code: 'X_PROVIDER_OPENAI_RATE_LIMITED',
      quotaExhausted: true,
      retryable: false,
      statusCode: 429,
    });
    expect(chats(server)).toHaveLength(1);
  });

  it('retries a 503 as ServerBusyError and obeys x-should-retry: false on a 500', async () => {
    const { server, provider } = await setup({
      '/chat/completions': [
        json(503, errorBody('The engine is currently overloaded', 'server_error')),
        json(500, errorBody('boom', 'server_error'), { 'x-should-retry': 'false' }),
      ],
    });
    const error = await provider.complete(ask()).catch((e: unknown) => e);
    expect(error).toMatchObject({ statusCode: 500, retryable: false });
    expect(chats(server)).toHaveLength(2);
    const { provider: busy } = await setup({
      '/chat/completions': json(503, errorBody('overloaded', 'server_error')),
    });
    const again = await busy.complete(ask()).catch((e: unknown) => e);
    expect(isServerBusyError(again)).toBe(true);
    expect(again).toMatchObject({ code: 'X_PROVIDER_OPENAI_SERVER_BUSY', retryable: true });
  });

  it('does not retry a 503 or a 429 that says x-should-retry: false', async () => {
    for (const status of [503, 429]) {
      const { server, provider } = await setup({
        '/chat/completions': json(status, errorBody('go away', 'server_error'), {
          'x-should-retry': 'false',
        }),
      });
      const error = await provider.complete(ask()).catch((e: unknown) => e);
      expect(error).toMatchObject({ statusCode: status, retryable: false });
      expect(chats(server)).toHaveLength(1);
    }
  });

  it("reads Gemini's error array and a text body alike", async () => {
    const { provider } = await setup(
      {
        '/chat/completions': [
          json(400, [
            { error: { code: 400, message: 'API key not valid.', status: 'INVALID_ARGUMENT' } },
          ]),
          (_req, res) => {
            res.writeHead(502, { 'content-type': 'text/html' });
            res.end('<html>Bad gateway</html>');
          },
        ],
      },
      { preset: 'gemini', retry: false },
    );
    await expect(provider.complete(ask())).rejects.toMatchObject({
      serverMessage: 'API key not valid.',
      type: 'INVALID_ARGUMENT',
      errorCode: '400',
      message: expect.stringContaining('Gemini /chat/completions answered 400'),
    });
    await expect(provider.complete(ask())).rejects.toMatchObject({
      statusCode: 502,
      serverMessage: '<html>Bad gateway</html>',
      retryable: true,
    });
  });

  it('guards recognise branded errors and instanceof works across copies', async () => {
    const { provider } = await setup({ '/chat/completions': json(400, errorBody('bad', 'x')) });
    const error = await provider.complete(ask()).catch((e: unknown) => e);
    expect(isOpenAIError(error)).toBe(true);
    const { OpenAIError } = await import('./errors');
    expect(error).toBeInstanceOf(OpenAIError);
    expect(new Error('x')).not.toBeInstanceOf(OpenAIError);
  });
});

describe('OpenAIProvider.embed', () => {
  it('decodes base64 embeddings (the OpenAI preset asks for them) in input order', async () => {
    const vector = (values: number[]) => {
      const buffer = Buffer.alloc(values.length * 4);
      for (const [i, v] of values.entries()) buffer.writeFloatLE(v, i * 4);
      return buffer.toString('base64');
    };
    const { server, provider } = await setup({
      '/embeddings': json(200, {
        object: 'list',
        data: [
          { object: 'embedding', index: 1, embedding: vector([0.5, -0.25]) },
          { object: 'embedding', index: 0, embedding: vector([1, 0]) },
        ],
        model: 'text-embedding-3-small',
        usage: { prompt_tokens: 4, total_tokens: 4 },
      }),
    });
    const answer = await provider.embed({ model: 'text-embedding-3-small', input: ['a', 'b'] });
    expect(answer).toMatchObject({
      model: 'text-embedding-3-small',
      embeddings: [
        [1, 0],
        [0.5, -0.25],
      ],
      usage: { promptTokens: 4, totalTokens: 4 },
      cached: false,
    });
    expect(server.requests[0]!.json).toEqual({
      model: 'text-embedding-3-small',
      input: ['a', 'b'],
      encoding_format: 'base64',
    });
  });

  it('caches embeddings under the default strategy because they are deterministic', async () => {
    const { server, provider } = await setup(
      {
        '/embeddings': json(200, {
          object: 'list',
          data: [{ object: 'embedding', index: 0, embedding: [0.1, 0.2] }],
          model: 'nomic-embed-text',
          usage: { prompt_tokens: 2, total_tokens: 2 },
        }),
      },
      { preset: 'ollama' },
    );
    const first = await provider.embed({ model: 'nomic-embed-text', input: 'hello' });
    const second = await provider.embed({ model: 'nomic-embed-text', input: 'hello' });
    expect(first.cached).toBe(false);
    expect(second).toMatchObject({ cached: true, embeddings: [[0.1, 0.2]] });
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]!.json).toMatchObject({ encoding_format: 'float' });
    expect(provider.stats()).toMatchObject({ embeddings: 2, cacheHits: 1 });
  });
});

describe('OpenAIProvider observability', () => {
  it('counts calls and renders them as x_provider_openai_* Prometheus metrics', async () => {
    const { provider } = await setup({ '/chat/completions': hello });
    await provider.complete(ask());
    expect(provider.stats()).toMatchObject({
      requests: 1,
      successes: 1,
      promptTokens: 19,
      completionTokens: 10,
    });
    const text = provider.toPrometheus();
    expect(text).toContain(
      'x_provider_openai_requests_total{provider="openai",model="gpt-4o-mini"} 1',
    );
    expect(text).toContain(
      'x_provider_openai_prompt_tokens_total{provider="openai",model="gpt-4o-mini"} 19',
    );
    expect(text).toMatch(/# TYPE x_provider_openai_request_duration_seconds histogram/);
    expect(
      provider.metricFamilies().some((f) => f.name === 'x_provider_openai_requests_total'),
    ).toBe(true);
  });

  it('publishes responses on x:provider-openai:response and to onResponse', async () => {
    const { provider } = await setup({ '/chat/completions': hello });
    const seen: unknown[] = [];
    const listener = (message: unknown) => seen.push(message);
    diagnosticsChannel.subscribe('x:provider-openai:response', listener);
    const off = provider.onResponse((event) => seen.push(event.finishReason));
    try {
      await provider.complete(ask());
    } finally {
      diagnosticsChannel.unsubscribe('x:provider-openai:response', listener);
      off();
    }
    expect(seen).toContainEqual(
      expect.objectContaining({ model: 'gpt-4o-mini-2024-07-18', cached: false }),
    );
    expect(seen).toContain('stop');
  });

  it('reports a throwing listener as a process warning and still answers', async () => {
    const { provider } = await setup({ '/chat/completions': hello });
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    provider.onResponse(() => {
      throw new Error('listener bug');
    });
    try {
      await expect(provider.complete(ask())).resolves.toMatchObject({
        content: 'Hello! How can I help?',
      });
      await until(() => warnings.length > 0);
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings[0]).toMatchObject({ name: 'XListenerError' });
    expect(warnings[0]!.message).toContain('provider-openai');
  });

  it('reports health from /models without generating tokens', async () => {
    const { server, provider } = await setup({
      '/models': json(200, { object: 'list', data: [] }),
    });
    const report = await provider.health();
    expect(report).toMatchObject({ status: 'healthy', reachable: true, reasons: [] });
    expect(chats(server)).toHaveLength(0);
    const { provider: refused } = await setup({
      '/models': json(
        401,
        errorBody('Incorrect API key provided', 'invalid_request_error', 'invalid_api_key'),
      ),
    });
    const bad = await refused.health();
    expect(bad).toMatchObject({ status: 'unhealthy', reachable: true });
    expect(bad.reasons[0]).toContain('refused the key');
  });
});

describe('OpenAIProvider lifecycle', () => {
  it('rejects calls after close() with ProviderClosedError, and await using closes it', async () => {
    const { provider } = await setup({ '/chat/completions': hello });
    {
      await using scoped = createOpenAIProvider({ baseUrl: provider.baseUrl });
      expect(scoped.baseUrl).toBe(provider.baseUrl);
    }
    await provider.close();
    const error = await provider.complete(ask()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderClosedError);
    expect(error).toMatchObject({ code: 'X_PROVIDER_OPENAI_CLOSED' });
  });

  it('streams after the answer ended are not read, and the stream stays usable', async () => {
    const { provider } = await setup({
      '/chat/completions': sse([...streamOf('a'), 'data: {"error":{"message":"late"}}\n\n', DONE]),
    });
    const chunks: string[] = [];
    for await (const chunk of provider.stream(ask())) chunks.push(chunk.content);
    expect(chunks.join('')).toBe('a');
  });

  it('throws a typed invalid-json error when another service answers 200 with HTML', async () => {
    const { provider } = await setup({
      '/chat/completions': (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end('<!doctype html><title>Login</title>');
      },
    });
    const error = await provider.complete(ask()).catch((e: unknown) => e);
    expect(isOpenAIStreamError(error)).toBe(true);
    expect(error).toMatchObject({ reason: 'invalid-json' });
    // It says what came back and where to look, not only that it was not JSON.
    expect((error as Error).message).toContain('answered with a web page (text/html)');
    expect((error as Error).message).toContain('is baseUrl');
    expect((error as Error).message).toContain('Its title: "Login"');
  });

  it('names an HTML page sent under another content type, and points at baseUrl', async () => {
    const { provider } = await setup({
      '/chat/completions': (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('<!doctype html><title>Login</title>');
      },
    });
    const error = await provider.complete(ask()).catch((e: unknown) => e);
    expect(error).toMatchObject({ reason: 'invalid-json' });
    expect((error as Error).message).toContain('HTML or XML document, not a chat completion');
    expect((error as Error).message).toContain('baseUrl');
    expect((error as Error).message).toContain('<!doctype html><title>Login</title>');
  });

  it('sums usage across calls', async () => {
    const { provider } = await setup({
      '/chat/completions': json(200, completion({ content: 'x' }, { usage: usage(5, 2) })),
    });
    await provider.complete(ask());
    await provider.complete(ask());
    expect(provider.stats()).toMatchObject({ promptTokens: 10, completionTokens: 4 });
  });
});
