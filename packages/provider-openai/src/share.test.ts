import { releaseSharedBreaker } from '@x/breaker';
import { describe, expect, it } from 'vitest';
import { errorBody, json, startServer } from './__fixtures__/server';
import { ask, track, trackServer } from './__fixtures__/setup';
import { isRateLimitedError } from './errors';
import { createOpenAIProvider } from './provider';

describe('createOpenAIProvider({ share })', () => {
  it('gives providers of one name one breaker and one limiter, and refuses another preset', async () => {
    const options = { baseUrl: 'http://127.0.0.1:1/v1', apiKey: 'k', share: 'openai-share-test' };
    const a = createOpenAIProvider(options);
    const b = createOpenAIProvider(options);
    const other = createOpenAIProvider({ ...options, share: 'openai-share-test-2' });
    try {
      expect(b.breaker).toBe(a.breaker);
      expect(b.rateLimiter).toBe(a.rateLimiter);
      expect(other.breaker).not.toBe(a.breaker);
      // Another preset brings another breaker and rate: one name cannot mean both.
      expect(() => createOpenAIProvider({ ...options, preset: 'perplexity' })).toThrow(
        /shared (breaker|rate limiter) "openai-share-test" already exists with other options/,
      );
    } finally {
      await Promise.all([a.close(), b.close(), other.close()]);
      await a.rateLimiter?.close();
      await other.rateLimiter?.close();
      releaseSharedBreaker('openai-share-test');
      releaseSharedBreaker('openai-share-test-2');
    }
  });

  it("keeps this provider's classification on a shared breaker: a retryable 429 opens nothing", async () => {
    const server = trackServer(
      await startServer({
        '/v1/chat/completions': json(
          429,
          errorBody('Rate limit reached for requests', 'requests', 'rate_limit_exceeded'),
          { 'retry-after-ms': '10' },
        ),
      }),
    );
    const share = 'openai-share-test-429';
    const provider = track(
      createOpenAIProvider({
        baseUrl: server.url,
        apiKey: 'k',
        share,
        retry: false,
        rateLimit: false,
      }),
    );
    try {
      for (let i = 0; i < 6; i++) {
        const error = await provider.complete(ask(`call ${i}`)).catch((e: unknown) => e);
        expect(isRateLimitedError(error)).toBe(true);
      }
      // The openai preset opens after 5 failures: none of the six counted.
      expect(provider.breaker?.state).toBe('closed');
      expect(provider.breaker?.stats()).toMatchObject({ failures: 0 });
    } finally {
      releaseSharedBreaker(share);
    }
  });
});
