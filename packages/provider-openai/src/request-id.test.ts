// The `x-request-id` of an error answer, the id a provider's support asks for: on the error, never
// in its message, a metric or an event (one value per request).
import { describe, expect, it } from 'vitest';
import { completion, errorBody, json, sse, streamOf } from './__fixtures__/server';
import { ask, collect, setup } from './__fixtures__/setup';
import {
  isContextOverflowError,
  isModelNotFoundError,
  isOpenAIApiError,
  isRateLimitedError,
  isServerBusyError,
} from './errors';

const ID = 'req_5f3c8d9e0a1b2c3d4e5f60718293a4b5';
const withId = { 'x-request-id': ID };

describe('OpenAIApiError.requestId', () => {
  it.each([
    [401, errorBody('Incorrect API key provided', 'invalid_request_error', 'invalid_api_key')],
    [400, errorBody("Invalid value for 'temperature'", 'invalid_request_error')],
    [500, errorBody('The server had an error', 'server_error')],
  ])('is the x-request-id of a %i answer', async (status, body) => {
    const { provider } = await setup(
      { '/chat/completions': json(status, body, withId) },
      { retry: false },
    );
    const error = await provider.complete(ask()).catch((e: unknown) => e);
    expect(isOpenAIApiError(error)).toBe(true);
    expect(error).toMatchObject({ statusCode: status, requestId: ID });
    expect((error as Error).message).not.toContain(ID);
  });

  it('is on every class an error answer becomes: 429, 503, model not found, context overflow', async () => {
    const { provider } = await setup(
      {
        '/chat/completions': [
          json(429, errorBody('Rate limit reached', 'requests', 'rate_limit_exceeded'), withId),
          json(503, errorBody('Overloaded', 'server_error'), withId),
          json(404, errorBody('The model `gpt-9` does not exist', 'x', 'model_not_found'), withId),
          json(
            400,
            errorBody('maximum context length is 8 tokens', 'x', 'context_length_exceeded'),
            withId,
          ),
        ],
      },
      { retry: false, learnLimits: false },
    );
    const errors: unknown[] = [];
    for (let i = 0; i < 4; i++) {
      errors.push(await provider.complete({ ...ask(), model: 'gpt-9' }).catch((e: unknown) => e));
    }
    expect(isRateLimitedError(errors[0])).toBe(true);
    expect(isServerBusyError(errors[1])).toBe(true);
    expect(isModelNotFoundError(errors[2])).toBe(true);
    expect(isContextOverflowError(errors[3])).toBe(true);
    for (const error of errors) expect(error).toMatchObject({ requestId: ID });
  });

  it('is undefined without the header, and stays out of metrics and error events', async () => {
    const { provider } = await setup(
      {
        '/chat/completions': [
          json(400, errorBody('bad', 'invalid_request_error')),
          json(400, errorBody('bad', 'invalid_request_error'), withId),
        ],
      },
      { retry: false },
    );
    const events: unknown[] = [];
    provider.onError((event) => events.push(event));
    const without = await provider.complete(ask()).catch((e: unknown) => e);
    expect(isOpenAIApiError(without)).toBe(true);
    expect((without as { requestId?: unknown }).requestId).toBeUndefined();
    await provider.complete(ask()).catch(() => {});
    expect(events).toHaveLength(2);
    expect(JSON.stringify(events)).not.toContain(ID);
    expect(provider.toPrometheus()).not.toContain(ID);
    expect(JSON.stringify(provider.stats())).not.toContain(ID);
  });

  it('is scrubbed of the key and cut, when a proxy echoes anything into the header', async () => {
    const key = 'sk-test-key-for-the-local-server';
    const { provider } = await setup(
      {
        '/chat/completions': json(400, errorBody('bad', 'invalid_request_error'), {
          'x-request-id': `${key}${'x'.repeat(500)}`,
        }),
      },
      { retry: false },
    );
    const error = (await provider.complete(ask()).catch((e: unknown) => e)) as {
      requestId: string;
    };
    expect(error.requestId).not.toContain(key);
    expect(error.requestId).toContain('[redacted]');
    expect(error.requestId.length).toBeLessThanOrEqual(128);
  });
});

describe('ChatResponse.requestId', () => {
  it('is the x-request-id of the answer, streamed, whole and embeddings alike', async () => {
    const embedding = {
      object: 'list',
      data: [{ object: 'embedding', index: 0, embedding: [0.5] }],
    };
    const { provider } = await setup({
      '/chat/completions': [
        sse(streamOf('Hi'), withId),
        json(200, completion({ content: 'Hi' }), { 'x-request-id': 'req_whole' }),
      ],
      '/embeddings': json(
        200,
        { ...embedding, model: 'e', usage: {} },
        { 'x-request-id': 'req_e' },
      ),
    });
    const streamed = await provider.complete(ask());
    expect(streamed).toMatchObject({ content: 'Hi', requestId: ID });
    expect(await provider.complete(ask())).toMatchObject({ content: 'Hi', requestId: 'req_whole' });
    const vectors = await provider.embed({ model: 'e', input: 'x', encodingFormat: 'float' });
    expect(vectors.requestId).toBe('req_e');
  });

  it('is on every chunk of a stream from the first, and on the final response', async () => {
    const { provider } = await setup({
      '/chat/completions': sse(streamOf('Hi', ' there'), withId),
    });
    const chunks = await collect(provider.stream(ask()));
    const text = chunks.filter((chunk) => !chunk.done);
    expect(text.length).toBeGreaterThan(0);
    for (const chunk of text) expect(chunk.requestId).toBe(ID);
    expect(chunks.at(-1)!.response!.requestId).toBe(ID);
  });

  it("is the successful attempt's, not the one of an error retried before it", async () => {
    const { provider } = await setup({
      '/chat/completions': [
        json(503, errorBody('Overloaded', 'server_error'), { 'x-request-id': 'req_failed' }),
        sse(streamOf('Hi'), withId),
      ],
    });
    const answer = await provider.complete(ask());
    expect(answer).toMatchObject({ attempts: 2, requestId: ID });
  });

  it('is undefined without the header, scrubbed and cut, and stays out of events and metrics', async () => {
    const key = 'sk-test-key-for-the-local-server';
    const { provider } = await setup({
      '/chat/completions': [
        sse(streamOf('Hi')),
        sse(streamOf('Hi'), { 'x-request-id': `${key}${'x'.repeat(500)}` }),
        sse(streamOf('Hi'), withId),
      ],
    });
    const events: unknown[] = [];
    provider.onResponse((event) => events.push(event));
    expect((await provider.complete(ask())).requestId).toBeUndefined();
    const echoed = (await provider.complete(ask())).requestId!;
    expect(echoed).not.toContain(key);
    expect(echoed).toContain('[redacted]');
    expect(echoed.length).toBeLessThanOrEqual(128);
    await provider.complete(ask());
    expect(events).toHaveLength(3);
    expect(JSON.stringify(events)).not.toContain(ID);
    expect(provider.toPrometheus()).not.toContain(ID);
    expect(JSON.stringify(provider.stats())).not.toContain(ID);
  });

  it('is kept by a cached answer: the id of the request that produced it', async () => {
    const { server, provider } = await setup({ '/chat/completions': sse(streamOf('Hi'), withId) });
    const first = await provider.complete(ask('Hi', { temperature: 0 }));
    const again = await provider.complete(ask('Hi', { temperature: 0 }));
    expect(again).toMatchObject({ cached: true, requestId: first.requestId });
    expect(server.requests.filter((r) => r.path === '/v1/chat/completions')).toHaveLength(1);
  });
});
