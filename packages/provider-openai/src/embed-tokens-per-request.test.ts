// OpenAI's `/embeddings` limit on one request's tokens, all its inputs together (400
// `max_tokens_per_request`): a ContextOverflowError with the counts, sent once.
import { describe, expect, it } from 'vitest';
import { errorBody, json, type TestServer } from './__fixtures__/server';
import { setup } from './__fixtures__/setup';
import { isContextOverflowError } from './errors';

const embeds = (server: TestServer) => server.requests.filter((r) => r.path === '/v1/embeddings');
const retryTwice = { retry: { retries: 2, baseDelayMs: 1, maxDelayMs: 1 } };
const request = { model: 'text-embedding-3-small', input: ['a long text', 'another one'] };

describe('OpenAIProvider.embed over the tokens one request may hold', () => {
  it('fails with ContextOverflowError carrying the requested and maximum tokens, sent once', async () => {
    const { server, provider } = await setup(
      {
        '/embeddings': json(
          400,
          errorBody(
            'Requested 453357 tokens, max 300000 tokens per request',
            'max_tokens_per_request',
            'max_tokens_per_request',
            null,
          ),
        ),
      },
      retryTwice,
    );
    const error = await provider.embed(request).catch((e: unknown) => e);
    expect(isContextOverflowError(error)).toBe(true);
    expect(error).toMatchObject({
      code: 'X_PROVIDER_OPENAI_CONTEXT_OVERFLOW',
      kind: 'context-overflow',
      source: 'server',
      retryable: false,
      model: 'text-embedding-3-small',
      promptTokens: 453_357,
      contextWindow: 300_000,
      overflowBy: 153_357,
    });
    expect((error as Error).message).toMatch(
      /^The input for "text-embedding-3-small" \(453357 tokens\) is over the 300000 tokens one .+ \/embeddings request may hold, all its inputs together \(server: Requested 453357 tokens, max 300000 tokens per request\): send fewer or shorter inputs per request$/,
    );
    expect(embeds(server)).toHaveLength(1);
  });

  it('still maps the code when the text gives no counts', async () => {
    const { server, provider } = await setup(
      {
        '/embeddings': json(
          400,
          errorBody(
            'Too many tokens in this request',
            'invalid_request_error',
            'max_tokens_per_request',
          ),
        ),
      },
      retryTwice,
    );
    const error = await provider.embed(request).catch((e: unknown) => e);
    expect(error).toMatchObject({
      kind: 'context-overflow',
      retryable: false,
      promptTokens: undefined,
      contextWindow: undefined,
    });
    expect((error as Error).message).toContain('is over the tokens one');
    expect(embeds(server)).toHaveLength(1);
  });
});
