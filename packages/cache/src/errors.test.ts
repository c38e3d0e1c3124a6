import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  CacheClosedError,
  CacheKeyError,
  CacheLoadCycleError,
  CacheStoreError,
  CacheValueError,
  isCacheError,
  isCacheKeyError,
  isCacheLoadCycleError,
  isCacheStoreError,
  isCacheValueError,
} from './errors';

describe('errors', () => {
  it('keeps a password a store driver quotes out of a CacheStoreError, its cause included', () => {
    const cause = new Error('connect ECONNREFUSED redis://default:secretpass@10.1.1.1:6379');
    const error = new CacheStoreError('get', { cause });
    expect(error.message).toBe(
      'Cache store `get` failed: connect ECONNREFUSED redis://[redacted]@10.1.1.1:6379',
    );
    expect(inspect(error, { depth: 5, showHidden: true })).not.toContain('secretpass');
    expect((error.cause as Error).message).not.toContain('secretpass');
  });

  it('carries a name, a stable code and a brand when constructed', () => {
    const cause = new Error('ECONNREFUSED');
    const store = new CacheStoreError('get', { cause });
    expect(store).toMatchObject({
      name: 'CacheStoreError',
      code: 'X_CACHE_STORE_FAILED',
      operation: 'get',
      timedOut: false,
      cause,
    });
    expect(store.message).toBe('Cache store `get` failed: ECONNREFUSED');
    expect(new CacheStoreError('set', { timedOut: true }).message).toBe(
      'Cache store `set` did not answer in time',
    );
    expect(new CacheKeyError('x')).toMatchObject({
      name: 'CacheKeyError',
      code: 'X_CACHE_INVALID_REQUEST',
    });
    expect(new CacheValueError('x')).toMatchObject({
      name: 'CacheValueError',
      code: 'X_CACHE_INVALID_VALUE',
    });
    expect(new CacheKeyError('x')).toBeInstanceOf(TypeError);
    const cycle = new CacheLoadCycleError('ns:a', ['ns:b', 'ns:c']);
    expect(cycle).toMatchObject({
      name: 'CacheLoadCycleError',
      code: 'X_CACHE_LOAD_CYCLE',
      key: 'ns:a',
      through: ['ns:b', 'ns:c'],
    });
    expect(cycle.message).toBe(
      'The loader for key `ns:a` asked for its own key through the loaders for `ns:b`, `ns:c`: the call would wait for itself for ever, so it is refused',
    );
    expect(cycle).toBeInstanceOf(TypeError);
    expect(Object.isFrozen(cycle.through)).toBe(true);
  });

  it('recognises errors by brand when they come from another copy of the package', () => {
    const foreign = Object.assign(new Error('x'), {
      [Symbol.for('@x/cache/CacheStoreError')]: true,
      [Symbol.for('@x/cache/CacheError')]: true,
    });
    expect(isCacheStoreError(foreign)).toBe(true);
    expect(isCacheError(foreign)).toBe(true);
    expect(isCacheKeyError(foreign)).toBe(false);
    expect(isCacheValueError(new CacheValueError('x'))).toBe(true);
    expect(isCacheLoadCycleError(new CacheLoadCycleError('k', []))).toBe(true);
    expect(isCacheLoadCycleError(new CacheKeyError('x'))).toBe(false);
    expect(isCacheError(new Error('x'))).toBe(false);
    expect(isCacheError(null)).toBe(false);
  });
});

describe('JSON', () => {
  it('shows name, message, code and the fields of each error, never the cause', () => {
    const json = (error: Error): unknown => JSON.parse(JSON.stringify({ error })).error;
    const cause = new Error('connect ECONNREFUSED redis://default:secretpass@10.1.1.1:6379');
    expect(json(new CacheStoreError('get', { cause }))).toEqual({
      name: 'CacheStoreError',
      message: 'Cache store `get` failed: connect ECONNREFUSED redis://[redacted]@10.1.1.1:6379',
      code: 'X_CACHE_STORE_FAILED',
      operation: 'get',
      timedOut: false,
    });
    expect(json(new CacheLoadCycleError('k1', ['k2']))).toMatchObject({
      name: 'CacheLoadCycleError',
      code: 'X_CACHE_LOAD_CYCLE',
      key: 'k1',
      through: ['k2'],
    });
    expect(json(new CacheKeyError('bad request'))).toEqual({
      name: 'CacheKeyError',
      message: 'bad request',
      code: 'X_CACHE_INVALID_REQUEST',
    });
    expect(json(new CacheValueError('bad value'))).toMatchObject({ message: 'bad value' });
    expect(json(new CacheClosedError('store'))).toEqual({
      name: 'CacheClosedError',
      message:
        'The Redis cache store is closed: `close()` was called; create a new store with createRedisStore() to make more calls',
      code: 'X_CACHE_CLOSED',
      target: 'store',
    });
  });
});
