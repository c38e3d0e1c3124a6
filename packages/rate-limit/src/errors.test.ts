import { describe, expect, it } from 'vitest';
import {
  isQueueFullError,
  isRateLimitError,
  isRateLimitStoreUnavailableError,
  isRateLimitTimeoutError,
  QueueFullError,
  RateLimitStoreUnavailableError,
  RateLimitTimeoutError,
} from './errors';

describe('RateLimitTimeoutError', () => {
  it('carries name, code and read-only data when constructed', () => {
    const error = new RateLimitTimeoutError({ timeoutMs: 100, retryAfterMs: 250, cost: 2 });
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({
      name: 'RateLimitTimeoutError',
      code: 'X_RATE_LIMIT_TIMEOUT',
      timeoutMs: 100,
      retryAfterMs: 250,
      cost: 2,
    });
    expect(error.message).toBe('Rate limit: not admitted within 100 ms (predicted wait 250 ms)');
    expect(isRateLimitTimeoutError(error)).toBe(true);
    expect(isRateLimitError(error)).toBe(true);
    expect(isQueueFullError(error)).toBe(false);
  });
});

describe('QueueFullError', () => {
  it('carries maxQueue and the X_RATE_LIMIT_QUEUE_FULL code', () => {
    const error = new QueueFullError({ maxQueue: 3 });
    expect(error).toMatchObject({
      name: 'QueueFullError',
      code: 'X_RATE_LIMIT_QUEUE_FULL',
      maxQueue: 3,
    });
    expect(isQueueFullError(error)).toBe(true);
  });
});

describe('RateLimitStoreUnavailableError', () => {
  it('carries the policy and the cause', () => {
    const cause = new Error('ECONNREFUSED');
    const error = new RateLimitStoreUnavailableError({ policy: 'fail-closed' }, { cause });
    expect(error).toMatchObject({
      code: 'X_RATE_LIMIT_STORE_UNAVAILABLE',
      policy: 'fail-closed',
      cause,
    });
    expect(isRateLimitStoreUnavailableError(error)).toBe(true);
  });
});

describe('isRateLimitError', () => {
  it('recognises a branded error from another copy of the package and rejects look-alikes', () => {
    const foreign = Object.assign(new Error('x'), { code: 'X_RATE_LIMIT_TIMEOUT' });
    Object.defineProperty(foreign, Symbol.for('@x/rate-limit/RateLimitTimeoutError'), {
      value: true,
    });
    expect(isRateLimitTimeoutError(foreign)).toBe(true);
    expect(
      isRateLimitTimeoutError(Object.assign(new Error('x'), { code: 'X_RATE_LIMIT_TIMEOUT' })),
    ).toBe(false);
    expect(isRateLimitError(null)).toBe(false);
    expect(isRateLimitError('X_RATE_LIMIT_TIMEOUT')).toBe(false);
  });
});
