import { describe, expect, it, vi } from 'vitest';
import { useFakeClock } from './__fixtures__/test-setup';
import { createRateLimiter } from './rate-limiter';
import { createRedisTokenBucket, type RedisClientLike } from './redis';
import { createTokenBucket } from './token-bucket';

// What createTokenBucket and the bucket's methods accept, and the errors naming what they refuse.

useFakeClock();

describe('createTokenBucket', () => {
  it('throws a RangeError that names the option when ratePerSecond is 0', () => {
    expect(() => createTokenBucket({ ratePerSecond: 0 })).toThrow(
      new RangeError('Expected `ratePerSecond` to be a finite number > 0, got `0` (number)'),
    );
  });

  it.each([
    [{ rate: 5 }, 'rate', 'ratePerSecond'],
    [{ tokensPerInterval: 5, interval: 'second' }, 'tokensPerInterval', 'ratePerSecond'],
    [{ points: 5, duration: 1 }, 'points', 'ratePerSecond'],
    [{ ratePerSecond: 5, burst: 10 }, 'burst', 'capacity'],
  ])(
    'names the option to use for %o (a shortened name, or limiter and rate-limiter-flexible names)',
    (options, key, hint) => {
      expect(() => createTokenBucket(options as never)).toThrow(
        new TypeError(`Unknown option \`${key}\`: did you mean \`${hint}\`?`),
      );
    },
  );

  it('throws a TypeError when capacity is not a number', () => {
    expect(() =>
      createTokenBucket({ ratePerSecond: 1, capacity: '5' as unknown as number }),
    ).toThrow(new TypeError('Expected `capacity` to be a finite number >= 1, got `"5"` (string)'));
  });

  it('throws a RangeError when initialTokens exceeds capacity or maxQueue is fractional', () => {
    expect(() => createTokenBucket({ ratePerSecond: 1, capacity: 2, initialTokens: 3 })).toThrow(
      RangeError,
    );
    expect(() => createTokenBucket({ ratePerSecond: 1, maxQueue: 1.5 })).toThrow(
      'Expected `maxQueue` to be an integer >= 0, or Infinity, got `1.5` (number)',
    );
  });

  it('defaults capacity to ratePerSecond and starts full', () => {
    const bucket = createTokenBucket({ ratePerSecond: 5 });
    expect(bucket.stats()).toMatchObject({ capacity: 5, available: 5, ratePerSecond: 5 });
  });

  it('refuses a rate below 1 without a capacity, naming capacity, as createRateLimiter does', async () => {
    const message =
      'Expected `capacity` to be set when `ratePerSecond` is below 1 (its default, `ratePerSecond` 0.5, cannot hold the default cost of 1), got `undefined` (undefined)';
    expect(() => createTokenBucket({ ratePerSecond: 0.5 })).toThrow(new RangeError(message));
    expect(() =>
      createRedisTokenBucket({ client: {} as RedisClientLike, key: 'k', ratePerSecond: 0.5 }),
    ).toThrow(new RangeError(message));
    expect(() => createRateLimiter({ limits: { r: { ratePerSecond: 0.5 } } })).toThrow(RangeError);
    // a slow rate with a capacity of its own admits the default cost
    const slow = createTokenBucket({ ratePerSecond: 0.5, capacity: 1 });
    expect(slow.tryAcquire()).toBe(true);
    await expect(slow.acquire(1, { timeoutMs: 1_000 })).rejects.toMatchObject({
      retryAfterMs: 2_000,
    });
    // a fractional capacity of at least 1 still holds fractional costs (below 1: token-bucket-capacity.test.ts)
    expect(createTokenBucket({ ratePerSecond: 0.5, capacity: 1.5 }).tryAcquire(1.5)).toBe(true);
  });

  it('starts with initialTokens when given', () => {
    const bucket = createTokenBucket({ ratePerSecond: 5, initialTokens: 0 });
    expect(bucket.tryAcquire()).toBe(false);
    vi.advanceTimersByTime(200);
    expect(bucket.tryAcquire()).toBe(true);
  });
});

describe('createTokenBucket argument errors', () => {
  it('throws a TypeError naming an unknown option and the closest known one', () => {
    expect(() => createTokenBucket({ ratePerSecnd: 5 } as never)).toThrow(
      new TypeError('Unknown option `ratePerSecnd`: did you mean `ratePerSecond`?'),
    );
  });

  it('throws a TypeError for a cost that is a string, in every method', async () => {
    const bucket = createTokenBucket({ ratePerSecond: 5 });
    const message =
      'Expected `cost` to be a finite number >= 0 and <= capacity 5, got `"1"` (string)';
    expect(() => bucket.tryAcquire('1' as never)).toThrow(new TypeError(message));
    expect(() => bucket.waitTimeMs('1' as never)).toThrow(new TypeError(message));
    await expect(bucket.acquire('1' as never)).rejects.toThrow(new TypeError(message));
    expect(bucket.stats()).toMatchObject({ admitted: 0, available: 5 });
  });

  it('rejects a timeoutMs above 2^31-1 ms with a RangeError naming it, and an unknown per-call key', async () => {
    const bucket = createTokenBucket({ ratePerSecond: 1, capacity: 1, initialTokens: 0 });
    await expect(bucket.acquire(1, { timeoutMs: 2 ** 31 })).rejects.toThrow(
      new RangeError(
        'Expected `timeoutMs` to be a finite number between 0 and 2147483647, got `2147483648` (number)',
      ),
    );
    await expect(bucket.acquire(1, { timeoutMS: 10 } as never)).rejects.toThrow(
      new TypeError('Unknown option `timeoutMS`: did you mean `timeoutMs`?'),
    );
    expect(bucket.stats().queued).toBe(0);
  });
});
