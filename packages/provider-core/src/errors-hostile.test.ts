import { revokedProxy, throwingProxy } from '@x/internal/testing';
import { describe, expect, it } from 'vitest';
import { isProviderError, isProviderErrorOfKind, ProviderApiError } from './index';

/**
 * The guards answer for any value: a user's provider, or code wrapping one, may throw a revoked
 * Proxy or a Proxy whose traps throw, and a guard that throws on it fails whatever was only
 * asking (a router's fallback, a `catch` block's check).
 */
const origin = { provider: 'demo', label: 'Demo' };

describe('isProviderError', () => {
  it.each([
    ['a revoked Proxy', () => revokedProxy()],
    ['a Proxy whose traps throw', () => throwingProxy()],
    ['a revoked Proxy function', () => revokedProxy(() => undefined)],
  ])('returns false for %s, never throwing', (_, make) => {
    const value = make();
    expect(isProviderError(value)).toBe(false);
    expect(isProviderErrorOfKind(value, 'api')).toBe(false);
  });

  it('is still true for a provider error, and isProviderErrorOfKind reads its kind', () => {
    const error = new ProviderApiError({
      origin,
      endpoint: '/reply',
      statusCode: 503,
      serverMessage: 'busy',
      retryable: true,
    });
    expect(isProviderError(error)).toBe(true);
    expect(isProviderErrorOfKind(error, error.kind)).toBe(true);
    expect(isProviderErrorOfKind(error, 'timeout')).toBe(false);
  });
});

describe('isProviderErrorOfKind', () => {
  it('returns false for a Proxy that carries the brand but whose kind getter throws', () => {
    const error = new ProviderApiError({
      origin,
      endpoint: '/reply',
      statusCode: 400,
      serverMessage: 'bad',
      retryable: false,
    });
    const hostile = new Proxy(error, {
      get(target, key, receiver) {
        if (key === 'kind') throw new Error('hostile kind');
        return Reflect.get(target, key, receiver);
      },
    });
    expect(isProviderError(hostile)).toBe(true);
    expect(isProviderErrorOfKind(hostile, 'api')).toBe(false);
  });
});
