import { describe, expect, it, vi } from 'vitest';
import { errorBody, hello, json, until } from './__fixtures__/server';
import { ask, chats, setup, track } from './__fixtures__/setup';
import {
  isContextOverflowError,
  isModelNotFoundError,
  isOpenAIApiError,
  isOpenAIError,
  isRateLimitedError,
  isServerBusyError,
} from './errors';
import { createOpenAIProvider } from './provider';

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
    // The numbers the text states, for a router to learn the window from.
    expect(error).toMatchObject({ contextWindow: 128000, promptTokens: 130000 });
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
    expect(error).toMatchObject({ contextWindow: 4096, promptTokens: 9000 });
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
