import Redis from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { createRedisRouterState } from './redis';

// `commandTimeoutMs` only arms a timer (setTimeout takes fractional ms), so it is held to what
// @x/cache's Redis store holds it to: a number from 1 ms to Node's timer limit, not an integer.

const client = new Redis({ lazyConnect: true });
afterAll(() => client.disconnect());

describe('createRedisRouterState commandTimeoutMs', () => {
  it('accepts a fractional number of ms from 1', () => {
    expect(() => createRedisRouterState({ client, commandTimeoutMs: 1.5 })).not.toThrow();
    expect(() => createRedisRouterState({ client, commandTimeoutMs: 1 })).not.toThrow();
  });

  it("refuses one below 1 ms or past the timer limit with the cache store's wording", () => {
    expect(() => createRedisRouterState({ client, commandTimeoutMs: 0.5 })).toThrow(
      new RangeError(
        'Expected `commandTimeoutMs` to be a finite number between 1 and 2147483647, got `0.5` (number)',
      ),
    );
    expect(() => createRedisRouterState({ client, commandTimeoutMs: 2 ** 31 })).toThrow(RangeError);
    expect(() => createRedisRouterState({ client, commandTimeoutMs: '5' as never })).toThrow(
      TypeError,
    );
  });
});
