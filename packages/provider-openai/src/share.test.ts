import { releaseSharedBreaker } from '@x/breaker';
import { describe, expect, it } from 'vitest';
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
});
