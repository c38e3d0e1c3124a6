import { describe, expect, it } from 'vitest';
import { createRedisStore } from './redis-store';

// `commandTimeoutMs` only arms a timer (setTimeout takes fractional ms), so it is held to what
// the router's Redis state holds it to: a number from 1 ms to Node's timer limit, not an integer.

const client = { getBuffer() {}, set() {}, del() {}, eval() {}, scan() {} } as never;

describe('createRedisStore commandTimeoutMs', () => {
  it('accepts a fractional number of ms from 1', () => {
    expect(() => createRedisStore({ client, commandTimeoutMs: 1.5 })).not.toThrow();
    expect(() => createRedisStore({ client, commandTimeoutMs: 1 })).not.toThrow();
  });

  it('refuses one below 1 ms or past the timer limit with the router state wording', () => {
    expect(() => createRedisStore({ client, commandTimeoutMs: 0.5 })).toThrow(
      new RangeError(
        'Expected `commandTimeoutMs` to be a finite number between 1 and 2147483647, got `0.5` (number)',
      ),
    );
    expect(() => createRedisStore({ client, commandTimeoutMs: 2 ** 31 })).toThrow(RangeError);
    expect(() => createRedisStore({ client, commandTimeoutMs: '5' as never })).toThrow(TypeError);
  });
});
