import { describe, expect, it } from 'vitest';
import { useFakeClock } from './__fixtures__/test-setup';
import { createRateLimiter } from './rate-limiter';
import { createRedisTokenBucket, type RedisClientLike } from './redis';
import { createTokenBucket } from './token-bucket';

// The in-process bucket refuses a capacity below 1 as its Redis sibling and the keyed limiter
// do: such a bucket could never admit the default cost of 1.

useFakeClock();

const client = {} as RedisClientLike;

describe('a token bucket capacity below 1', () => {
  it.each([0.5, 0.999, Number.MIN_VALUE])(
    'is a RangeError naming capacity for %d, worded as the Redis bucket words it',
    (capacity) => {
      const message = `Expected \`capacity\` to be a finite number >= 1, got \`${capacity}\` (number)`;
      expect(() => createTokenBucket({ ratePerSecond: 0.5, capacity })).toThrow(
        new RangeError(message),
      );
      expect(() =>
        createRedisTokenBucket({ client, key: 'k', ratePerSecond: 0.5, capacity }),
      ).toThrow(new RangeError(message));
      expect(() => createRateLimiter({ limits: { r: { ratePerSecond: 0.5, capacity } } })).toThrow(
        new RangeError(message.replace('`capacity`', '`limits.r.capacity`')),
      );
    },
  );

  it('is a TypeError for a capacity that is not a number, as for the Redis bucket', () => {
    const message = 'Expected `capacity` to be a finite number >= 1, got `"5"` (string)';
    expect(() => createTokenBucket({ ratePerSecond: 1, capacity: '5' as never })).toThrow(
      new TypeError(message),
    );
    expect(() =>
      createRedisTokenBucket({ client, key: 'k', ratePerSecond: 1, capacity: '5' as never }),
    ).toThrow(new TypeError(message));
  });

  it('is refused by setRate(), which keeps the old limit', () => {
    const bucket = createTokenBucket({ ratePerSecond: 2, capacity: 4 });
    expect(() => bucket.setRate(2, 0.5)).toThrow(
      new RangeError('Expected `capacity` to be a finite number >= 1, got `0.5` (number)'),
    );
    expect(bucket.stats()).toMatchObject({ ratePerSecond: 2, capacity: 4 });
  });

  it('leaves a capacity of exactly 1 (and fractional ones above it) accepted', () => {
    expect(createTokenBucket({ ratePerSecond: 0.5, capacity: 1 }).tryAcquire()).toBe(true);
    const bucket = createTokenBucket({ ratePerSecond: 0.5, capacity: 1.5 });
    expect(bucket.tryAcquire(1.5)).toBe(true);
    bucket.setRate(1, 1);
    expect(bucket.stats()).toMatchObject({ capacity: 1 });
  });
});
