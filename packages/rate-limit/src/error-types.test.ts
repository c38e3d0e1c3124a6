import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  type ConcurrencyTimeoutError,
  isRateLimitError,
  isRateLimitStoreUnavailableError,
  type OutagePolicy,
  QueueFullError,
  type RateLimitClosedError,
  type RateLimitError,
  type RateLimitErrorCode,
  type RateLimitStoreError,
  RateLimitStoreUnavailableError,
  type RateLimitTimeoutError,
} from './index';
import type { OutagePolicy as RedisOutagePolicy } from './redis';

/** Type-level: checked by `tsc` (`pnpm typecheck`); the runtime half checks nothing moved. */
describe('error code types', () => {
  it('types each class code as its literal and the base code as their union', () => {
    expectTypeOf<RateLimitTimeoutError['code']>().toEqualTypeOf<'X_RATE_LIMIT_TIMEOUT'>();
    expectTypeOf<QueueFullError['code']>().toEqualTypeOf<'X_RATE_LIMIT_QUEUE_FULL'>();
    expectTypeOf<
      RateLimitStoreUnavailableError['code']
    >().toEqualTypeOf<'X_RATE_LIMIT_STORE_UNAVAILABLE'>();
    expectTypeOf<RateLimitStoreError['code']>().toEqualTypeOf<'X_RATE_LIMIT_STORE_ERROR'>();
    expectTypeOf<RateLimitClosedError['code']>().toEqualTypeOf<'X_RATE_LIMIT_CLOSED'>();
    expectTypeOf<
      ConcurrencyTimeoutError['code']
    >().toEqualTypeOf<'X_RATE_LIMIT_CONCURRENCY_TIMEOUT'>();
    expectTypeOf<RateLimitError['code']>().toEqualTypeOf<RateLimitErrorCode>();
    expectTypeOf<RateLimitErrorCode>().toEqualTypeOf<
      | RateLimitTimeoutError['code']
      | QueueFullError['code']
      | RateLimitStoreUnavailableError['code']
      | RateLimitStoreError['code']
      | RateLimitClosedError['code']
      | ConcurrencyTimeoutError['code']
    >();
  });

  it('refuses a misspelt code and types the outage policy', () => {
    const error: unknown = new RateLimitStoreUnavailableError({ policy: 'fail-closed' });
    // @ts-expect-error no code is spelt `TIMOUT`
    const typo = isRateLimitError(error) && error.code === 'X_RATE_LIMIT_TIMOUT';
    expect(typo).toBe(false);
    if (!isRateLimitStoreUnavailableError(error)) throw new Error('not the error');
    expectTypeOf(error.policy).toEqualTypeOf<OutagePolicy>();
    expectTypeOf<OutagePolicy>().toEqualTypeOf<'fail-open' | 'fail-closed' | 'local'>();
    expectTypeOf<RedisOutagePolicy>().toEqualTypeOf<OutagePolicy>();
    // @ts-expect-error `fail-shut` is no outage policy
    new RateLimitStoreUnavailableError({ policy: 'fail-shut' });
    expect(error).toMatchObject({ code: 'X_RATE_LIMIT_STORE_UNAVAILABLE', policy: 'fail-closed' });
    // the declared (type-only) codes leave the values, and their keys, as the base sets them
    expect(Object.keys(new QueueFullError({ maxQueue: 1 }))).toEqual(['code', 'name', 'maxQueue']);
  });
});
