import { describe, expect, it } from 'vitest';
import { ProviderApiError } from '../api-error';
import { resolveBreaker } from './pieces';

const origin = { provider: 'demo', label: 'Demo' };
const badRequest = () =>
  new ProviderApiError({
    origin,
    statusCode: 400,
    serverMessage: '',
    endpoint: '/x',
    retryable: false,
  });
const defaults = { id: 'demo', requestsPerSecond: 10, breaker: { failureThreshold: 1 } };

describe('resolveBreaker', () => {
  // A config object's optional field left undefined must not swap the provider's classification
  // for the breaker's own, which counts a caller's 400 as the server's failure.
  it('reads `classify: undefined` as left out', async () => {
    for (const value of [undefined, {}, { classify: undefined }]) {
      const { breaker } = resolveBreaker(value, defaults, 'http://127.0.0.1:1');
      await expect(breaker?.execute(() => Promise.reject(badRequest()))).rejects.toBeInstanceOf(
        ProviderApiError,
      );
      expect(breaker?.state).toBe('closed');
      expect(breaker?.stats()).toMatchObject({ failures: 0, ignored: 1 });
    }
  });

  it('uses a classify given', async () => {
    const { breaker } = resolveBreaker(
      { classify: () => 'failure' },
      defaults,
      'http://127.0.0.1:1',
    );
    await expect(breaker?.execute(() => Promise.reject(badRequest()))).rejects.toThrow();
    expect(breaker?.state).toBe('open');
  });

  // A provider's own rules (its preset's classify) stand where the user gave none.
  it("uses the provider's classify when the user gives none", async () => {
    const provider = {
      ...defaults,
      breaker: { ...defaults.breaker, classify: () => 'failure' as const },
    };
    for (const value of [undefined, { classify: undefined }]) {
      const { breaker } = resolveBreaker(value, provider, 'http://127.0.0.1:1');
      await expect(breaker?.execute(() => Promise.reject(badRequest()))).rejects.toThrow();
      expect(breaker?.state).toBe('open');
    }
    const { breaker } = resolveBreaker(
      { classify: () => 'ignore' },
      provider,
      'http://127.0.0.1:1',
    );
    await expect(breaker?.execute(() => Promise.reject(badRequest()))).rejects.toThrow();
    expect(breaker?.state).toBe('closed');
  });
});
