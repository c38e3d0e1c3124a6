import { describe, expect, it } from 'vitest';
import {
  ConcurrencyTimeoutError,
  isConcurrencyTimeoutError,
  isQueueFullError,
  isRateLimitClosedError,
  isRateLimitError,
  isRateLimitStoreError,
  isRateLimitStoreUnavailableError,
  isRateLimitTimeoutError,
  QueueFullError,
  RateLimitClosedError,
  RateLimitStoreError,
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

describe('RateLimitStoreError', () => {
  it('carries the Redis reply prefix, the cause and the X_RATE_LIMIT_STORE_ERROR code', () => {
    const cause = new Error('WRONGTYPE Operation against a key holding the wrong kind of value');
    const error = new RateLimitStoreError({ reply: 'WRONGTYPE' }, { cause });
    expect(error).toMatchObject({
      name: 'RateLimitStoreError',
      code: 'X_RATE_LIMIT_STORE_ERROR',
      reply: 'WRONGTYPE',
      cause,
    });
    expect(isRateLimitStoreError(error)).toBe(true);
    expect(isRateLimitStoreUnavailableError(error)).toBe(false);
  });
});

describe('RateLimitClosedError', () => {
  it('is named AbortError and carries the X_RATE_LIMIT_CLOSED code', () => {
    const error = new RateLimitClosedError('token bucket');
    expect(error).toMatchObject({ name: 'AbortError', code: 'X_RATE_LIMIT_CLOSED' });
    expect(error.message).toBe('Rate limit: the token bucket was closed');
    expect(isRateLimitClosedError(error)).toBe(true);
    expect(isRateLimitError(error)).toBe(true);
  });
});

describe('ConcurrencyTimeoutError', () => {
  it('carries timeoutMs, maxConcurrent and the X_RATE_LIMIT_CONCURRENCY_TIMEOUT code', () => {
    const error = new ConcurrencyTimeoutError({ timeoutMs: 500, maxConcurrent: 4 });
    expect(error).toMatchObject({
      name: 'ConcurrencyTimeoutError',
      code: 'X_RATE_LIMIT_CONCURRENCY_TIMEOUT',
      timeoutMs: 500,
      maxConcurrent: 4,
    });
    expect(error.message).toBe('Concurrency limit: no free slot of 4 within 500 ms');
    expect(isConcurrencyTimeoutError(error)).toBe(true);
    expect(isRateLimitTimeoutError(error)).toBe(false);
  });
});

describe('JSON', () => {
  it('shows name, message, code and the fields of each error, never the cause', () => {
    const json = (error: Error): unknown => JSON.parse(JSON.stringify({ error })).error;
    expect(json(new RateLimitTimeoutError({ timeoutMs: 100, retryAfterMs: 250, cost: 2 }))).toEqual(
      {
        name: 'RateLimitTimeoutError',
        message: 'Rate limit: not admitted within 100 ms (predicted wait 250 ms)',
        code: 'X_RATE_LIMIT_TIMEOUT',
        timeoutMs: 100,
        retryAfterMs: 250,
        cost: 2,
      },
    );
    const cause = new Error('WRONGTYPE Operation against a key holding the wrong kind of value');
    expect(json(new RateLimitStoreError({ reply: 'WRONGTYPE' }, { cause }))).toEqual({
      name: 'RateLimitStoreError',
      message: 'Rate limit: Redis refused the rate-limit script (WRONGTYPE); see `cause`',
      code: 'X_RATE_LIMIT_STORE_ERROR',
      reply: 'WRONGTYPE',
    });
    expect(json(new QueueFullError({ maxQueue: 3 }))).toMatchObject({ maxQueue: 3 });
    expect(json(new RateLimitStoreUnavailableError({ policy: 'fail-closed' }))).toMatchObject({
      policy: 'fail-closed',
    });
    expect(json(new ConcurrencyTimeoutError({ timeoutMs: 5, maxConcurrent: 1 }))).toMatchObject({
      message: 'Concurrency limit: no free slot of 1 within 5 ms',
    });
    expect(json(new RateLimitClosedError('token bucket'))).toEqual({
      name: 'AbortError',
      message: 'Rate limit: the token bucket was closed',
      code: 'X_RATE_LIMIT_CLOSED',
    });
  });
});
