import { undefinedOptionsRefused } from '@x/internal/testing';
import { describe, expect, it } from 'vitest';
import { createOpenAIProvider } from './provider';

const baseUrl = 'http://127.0.0.1:9/v1';

describe('createOpenAIProvider nested piece options', () => {
  it.each([
    [
      { cache: { maxEntires: 5 } },
      TypeError,
      'Unknown option `cache.maxEntires`: did you mean `cache.maxEntries`?',
    ],
    [
      { cache: { ttlMs: 1000 } },
      TypeError,
      'Unknown option `cache.ttlMs`: did you mean `cache.maxTtlMs`?',
    ],
    [
      { breaker: { failureTreshold: 3 } },
      TypeError,
      'Unknown option `breaker.failureTreshold`: did you mean `breaker.failureThreshold`?',
    ],
    // the official client's names
    [{ maxRetries: 2 }, TypeError, 'Unknown option `maxRetries`: did you mean `retry`?'],
    [{ timeout: 60_000 }, TypeError, 'Unknown option `timeout`: did you mean `timeouts`?'],
    [
      { pool: { connectionsPerHost: 0 } },
      RangeError,
      'Expected `pool.connectionsPerHost` to be an integer >= 1, got `0` (number)',
    ],
  ])('names the full option path when given %o', (options, kind, message) => {
    const create = () => createOpenAIProvider({ baseUrl, apiKey: 'k', ...(options as object) });
    expect(create).toThrow(kind);
    expect(create).toThrow(message);
  });
});

describe('an option set to undefined', () => {
  it('is the same as leaving it out, for every option createOpenAIProvider accepts', async () => {
    expect(
      await undefinedOptionsRefused(
        (o) => createOpenAIProvider(o),
        { baseUrl: 'http://127.0.0.1:9/v1' },
        (p) => p.close(),
      ),
    ).toEqual([]);
  });
});
